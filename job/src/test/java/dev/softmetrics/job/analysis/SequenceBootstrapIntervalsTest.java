package dev.softmetrics.job.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.aggregate.CorpusInterval;
import dev.softmetrics.job.analysis.SequenceFixtures.Sequence;
import dev.softmetrics.job.config.BootstrapConfig;
import dev.softmetrics.job.tables.Tables;
import dev.softmetrics.udfs.bootstrap.PoissonWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SequenceBootstrapIntervalsTest extends LocalSparkTest {

  private static final BootstrapConfig BOOTSTRAP = new BootstrapConfig(200, 9, 0.95);

  /** Two models, two domains of different sizes, one single-sequence group. */
  private static SequenceFixtures corpus() {
    SequenceFixtures f = new SequenceFixtures();
    SplittableRandom random = new SplittableRandom(3);
    for (String model : List.of("m1", "m2")) {
      for (int i = 0; i < 120; i++) {
        String domain = i % 3 == 0 ? "news" : "web";
        long tokens = 5 + random.nextInt(50);
        double nll = tokens * (1.5 + random.nextDouble());
        f.add(
            new Sequence(
                model, "bpe", domain, "s" + i, nll, tokens, 4 * tokens + random.nextInt(9)));
      }
    }
    f.add(new Sequence("m1", "bpe", "lonely", "only", 10, 5, 20));
    return f;
  }

  @Test
  void intervalsAreTheSameWhateverThePartitioningAndOrder() {
    SequenceFixtures f = corpus();
    Map<GroupKey, CorpusInterval> one =
        SequenceBootstrap.compute(f.frame(spark, 1), BOOTSTRAP).intervals();
    // One task (a small input) and two shuffles over 7 partitions (forced) give the same bits.
    Map<GroupKey, CorpusInterval> seven =
        SequenceBootstrap.compute(f.frame(spark, 7), BOOTSTRAP, 0).intervals();
    assertThat(SequenceBootstrap.compute(f.frame(spark, 7), BOOTSTRAP, Long.MAX_VALUE).intervals())
        .isEqualTo(seven);
    List<org.apache.spark.sql.Row> reversed = new ArrayList<>(f.rows());
    Collections.reverse(reversed);
    Map<GroupKey, CorpusInterval> backwards =
        SequenceBootstrap.compute(
                spark.createDataFrame(reversed, Tables.SEQUENCES.schema()).repartition(3),
                BOOTSTRAP,
                0)
            .intervals();
    assertThat(one).hasSize(6).isEqualTo(seven).isEqualTo(backwards);
  }

  @Test
  void intervalsAreThePercentilesOfTheResampledRatios() {
    SequenceFixtures f = corpus();
    Map<GroupKey, CorpusInterval> intervals =
        SequenceBootstrap.compute(f.frame(spark, 4), BOOTSTRAP).intervals();

    for (GroupKey group :
        List.of(
            new GroupKey("m1", "bpe", "web", List.of()),
            new GroupKey("m2", "bpe", "news", List.of()),
            new GroupKey("m1", "bpe", "__all__", List.of()))) {
      List<Sequence> members = new ArrayList<>();
      for (org.apache.spark.sql.Row r : f.rows()) {
        boolean allDomains = group.domain().equals("__all__");
        if (r.getString(2).equals(group.model())
            && (allDomains || r.getString(4).equals(group.domain()))) {
          members.add(
              new Sequence(
                  r.getString(2),
                  r.getString(3),
                  r.getString(4),
                  r.getString(1),
                  r.getDouble(6),
                  r.getLong(5),
                  r.getLong(9)));
        }
      }
      double[] ppl = new double[BOOTSTRAP.replicates()];
      double[] bpb = new double[BOOTSTRAP.replicates()];
      for (int rep = 0; rep < ppl.length; rep++) {
        double nll = 0;
        double tokens = 0;
        double bytes = 0;
        for (Sequence s : members) {
          int w = PoissonWeights.weight(PoissonWeights.sequenceKey(9, s.domain(), s.id()), rep);
          nll += w * s.nll();
          tokens += w * s.tokens();
          bytes += w * s.bytes();
        }
        ppl[rep] = Math.exp(nll / tokens);
        bpb[rep] = nll / (Math.log(2) * bytes);
      }
      CorpusInterval ci = intervals.get(group);
      assertThat(ci).as("%s", group).isNotNull();
      assertThat(ci.pplTokenLow()).isCloseTo(type7(ppl, 0.025), within(1e-9));
      assertThat(ci.pplTokenHigh()).isCloseTo(type7(ppl, 0.975), within(1e-9));
      assertThat(ci.bitsPerByteLow()).isCloseTo(type7(bpb, 0.025), within(1e-12));
      assertThat(ci.bitsPerByteHigh()).isCloseTo(type7(bpb, 0.975), within(1e-12));
      assertThat(ci.replicates()).isEqualTo(200);
      assertThat(ci.confidence()).isEqualTo(0.95);
    }
    assertThat(intervals).doesNotContainKey(new GroupKey("m1", "bpe", "lonely", List.of()));
  }

  /** numpy's default percentile, written out: linear between the order statistics. */
  private static double type7(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double h = (sorted.length - 1) * p;
    int lo = (int) h;
    return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
  }

  @Test
  void noReplicatesNoIntervals() {
    assertThat(
            SequenceBootstrap.compute(corpus().frame(spark, 2), new BootstrapConfig(0, 1, 0.95))
                .intervals())
        .isEmpty();
  }
}
