package dev.softmetrics.job.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.aggregate.BootstrapDraw;
import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.analysis.SequenceFixtures.Sequence;
import dev.softmetrics.job.config.BootstrapConfig;
import dev.softmetrics.job.tables.SequenceRow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/**
 * What the scoring tasks gather ({@link dev.softmetrics.job.aggregate.GroupSample}) gives the same
 * intervals and comparisons, bit for bit, as the pass that reads {@code sequences/} back ({@link
 * SequenceBootstrap}, itself checked against percentiles computed by hand in {@link
 * SequenceBootstrapIntervalsTest} and {@link SequenceBootstrapComparisonsTest}).
 */
class SampledAnalysisTest extends LocalSparkTest {

  private static final BootstrapConfig BOOTSTRAP = new BootstrapConfig(200, 11, 0.9);

  /**
   * Three domains; "base" and "worse" score the same sequences, "twin" two thirds of them, "wide"
   * (another tokenizer) the "code" ones; "alone" scores sequences no other model has; "base" has
   * one sequence twice (duplicated input) and "worse" one of its own.
   */
  private static SequenceFixtures shared() {
    SequenceFixtures f = new SequenceFixtures();
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 90; i++) {
      String domain = List.of("prose", "code", "chat").get(i % 3);
      long tokens = 5 + random.nextInt(60);
      long bytes = 2 * tokens + random.nextInt(30);
      double nll = tokens * (0.5 + random.nextDouble());
      String id = "s-" + i;
      f.add(new Sequence("base", "bpe", domain, id, nll, tokens, bytes));
      f.add(new Sequence("worse", "bpe", domain, id, nll * 1.03, tokens, bytes));
      if (i % 3 != 2) {
        f.add(new Sequence("twin", "bpe", domain, id, nll, tokens, bytes));
      }
      if (domain.equals("code")) {
        f.add(new Sequence("wide", "chars", domain, id, nll, 3 * tokens, bytes));
      }
      f.add(new Sequence("alone", "bpe", domain, "alone-" + i, nll, tokens, bytes));
    }
    f.add(new Sequence("base", "bpe", "prose", "s-0", 40, 20, 50));
    f.add(new Sequence("worse", "bpe", "chat", "worse-only", 7, 5, 12));
    return f;
  }

  /** Two models on disjoint sequences, as in the speed corpus (m-a on even rows, m-b on odd). */
  private static SequenceFixtures disjoint() {
    SequenceFixtures f = new SequenceFixtures();
    SplittableRandom random = new SplittableRandom(8);
    for (int i = 0; i < 80; i++) {
      long tokens = 8 + random.nextInt(40);
      f.add(
          new Sequence(
              i % 2 == 0 ? "m-a" : "m-b",
              "tok",
              List.of("news", "code").get((i / 2) % 2),
              "f0-" + i,
              tokens * (1 + random.nextDouble()),
              tokens,
              4 * tokens));
    }
    return f;
  }

  /**
   * The fixture's sequences added in {@code tasks} shuffled task totals, merged as the driver does.
   */
  private static PassTotals gathered(SequenceFixtures f, BootstrapConfig bootstrap, int tasks) {
    return gathered(f, bootstrap, tasks, Long.MAX_VALUE);
  }

  private static PassTotals gathered(
      SequenceFixtures f, BootstrapConfig bootstrap, int tasks, long limit) {
    BootstrapDraw draw = new BootstrapDraw(bootstrap.seed(), bootstrap.replicates(), limit);
    List<Sequence> order = new ArrayList<>(f.sequences());
    Collections.shuffle(order, new Random(tasks));
    List<PassTotals> perTask = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      perTask.add(new PassTotals(draw));
    }
    for (int i = 0; i < order.size(); i++) {
      Sequence s = order.get(i);
      perTask
          .get(i % tasks)
          .addSequence(
              UTF8String.fromString(s.id()),
              UTF8String.fromString(s.model()),
              UTF8String.fromString(s.tokenizer()),
              UTF8String.fromString(s.domain()),
              SequenceRow.NO_EXTRA_LABELS,
              s.tokens(),
              s.nll(),
              s.bytes(),
              -1,
              -1,
              null,
              0);
    }
    PassTotals driver = new PassTotals(draw);
    perTask.forEach(driver::merge);
    return driver;
  }

  private static void assertSame(
      SequenceBootstrap.Result expected, SequenceBootstrap.Result actual) {
    assertThat(actual.intervals()).isEqualTo(expected.intervals());
    assertThat(actual.comparisons()).isEqualTo(expected.comparisons());
  }

  @Test
  void sharedSequencesGiveTheSameIntervalsAndComparisonsAsReadingSequencesBack() {
    SequenceFixtures f = shared();
    SequenceBootstrap.Result expected = SequenceBootstrap.compute(f.frame(spark, 3), BOOTSTRAP, 0);
    assertThat(expected.comparisons()).hasSizeGreaterThan(10);
    assertThat(expected.intervals()).hasSizeGreaterThan(10);
    for (int tasks : new int[] {1, 4}) {
      assertSame(
          expected, SampledAnalysis.compute(gathered(f, BOOTSTRAP, tasks).samples(), BOOTSTRAP));
    }
  }

  @Test
  void disjointSequencesGiveNoComparisonsAndTheSameIntervals() {
    SequenceFixtures f = disjoint();
    SequenceBootstrap.Result expected = SequenceBootstrap.compute(f.frame(spark, 2), BOOTSTRAP, 0);
    SequenceBootstrap.Result actual =
        SampledAnalysis.compute(gathered(f, BOOTSTRAP, 3).samples(), BOOTSTRAP);
    assertSame(expected, actual);
    assertThat(actual.comparisons()).isEmpty();
    // Two models x (two domains + __all__).
    assertThat(actual.intervals()).hasSize(6);
  }

  @Test
  void withoutReplicatesThePointDifferencesAreTheSame() {
    BootstrapConfig none = new BootstrapConfig(0, 11, 0.9);
    SequenceFixtures f = shared();
    SequenceBootstrap.Result expected = SequenceBootstrap.compute(f.frame(spark, 2), none, 0);
    SequenceBootstrap.Result actual = SampledAnalysis.compute(gathered(f, none, 2).samples(), none);
    assertSame(expected, actual);
    assertThat(actual.intervals()).isEmpty();
    assertThat(actual.comparisons()).isNotEmpty();
  }

  /**
   * {@code bootstrap.in-memory-sequences}: past the limit, in a task (4 tasks of about 90
   * sequences, limit 50) or only once the driver merges them (limit 150 of 362), the groups keep
   * their replicate sums, bit for bit those of an unlimited pass, and drop the sequences, so the
   * run reads {@code sequences/} back; at the limit or under it, nothing is dropped.
   */
  @Test
  void pastTheInMemoryLimitTheSequencesAreDroppedAndTheSumsKept() {
    SequenceFixtures f = shared();
    int all = f.sequences().size();
    PassTotals unlimited = gathered(f, BOOTSTRAP, 4);
    assertThat(unlimited.sampled()).isTrue();
    assertThat(gathered(f, BOOTSTRAP, 4, all).sampled()).as("at the limit").isTrue();
    for (long limit : new long[] {50, 150, all - 1}) {
      PassTotals limited = gathered(f, BOOTSTRAP, 4, limit);
      assertThat(limited.sampled()).as("limit %d of %d", limit, all).isFalse();
      var expected = unlimited.samples();
      var actual = limited.samples();
      assertThat(actual).hasSameSizeAs(expected);
      for (int g = 0; g < expected.size(); g++) {
        var e = expected.get(g).sample();
        var a = actual.get(g).sample();
        assertThat(a.size()).isZero();
        assertThat(a.complete()).isFalse();
        assertThat(a.replicates().sequences()).isEqualTo(e.replicates().sequences());
        for (int r = 0; r < BOOTSTRAP.replicates(); r++) {
          assertThat(Double.doubleToRawLongBits(a.replicates().nll(r)))
              .isEqualTo(Double.doubleToRawLongBits(e.replicates().nll(r)));
          assertThat(a.replicates().tokens(r)).isEqualTo(e.replicates().tokens(r));
          assertThat(a.replicates().bytes(r)).isEqualTo(e.replicates().bytes(r));
        }
      }
    }
  }
}
