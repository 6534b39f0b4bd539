package dev.softmetrics.job.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.analysis.SequenceFixtures.Sequence;
import dev.softmetrics.job.config.BootstrapConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SequenceBootstrapComparisonsTest extends LocalSparkTest {

  private static final BootstrapConfig BOOTSTRAP = new BootstrapConfig(300, 5, 0.95);
  private static final double LN_2 = Math.log(2);

  /** NLL added per token by the worse model. */
  private static final double PENALTY = 0.05;

  /**
   * Model "base" on 60 sequences in two domains; "worse" scores the same sequences with {@link
   * #PENALTY} more NLL on every token; "twin" gives exactly base's numbers; "other-tok" scores only
   * the "code" sequences, with another tokenizer (twice as many tokens, the same NLL per byte).
   */
  private static SequenceFixtures fixtures() {
    SequenceFixtures f = new SequenceFixtures();
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 60; i++) {
      String domain = i < 40 ? "prose" : "code";
      long tokens = 10 + random.nextInt(90);
      long bytes = 3 * tokens + random.nextInt(40);
      double nll = tokens * (1 + random.nextDouble());
      String id = "doc-" + i;
      f.add(new Sequence("base", "bpe", domain, id, nll, tokens, bytes));
      f.add(new Sequence("twin", "bpe", domain, id, nll, tokens, bytes));
      f.add(new Sequence("worse", "bpe", domain, id, nll + PENALTY * tokens, tokens, bytes));
      if (domain.equals("code")) {
        f.add(new Sequence("other-tok", "chars", domain, id, nll, 2 * tokens, bytes));
      }
    }
    // Sequences only one model scored are not paired.
    f.add(new Sequence("base", "bpe", "prose", "base-only", 99, 10, 30));
    f.add(new Sequence("worse", "bpe", "prose", "worse-only", 1, 10, 30));
    return f;
  }

  private static Comparison find(List<Comparison> all, String a, String b, String domain) {
    return all.stream()
        .filter(c -> c.modelA().equals(a) && c.modelB().equals(b) && c.domain().equals(domain))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no comparison " + a + " vs " + b + " in " + domain));
  }

  /**
   * The sums of one model over the fixture's sequences of a domain that {@code with} also scored.
   */
  private static double[] sums(SequenceFixtures f, String model, String with, String domain) {
    double nll = 0;
    double tokens = 0;
    double bytes = 0;
    for (org.apache.spark.sql.Row r : f.rows()) {
      String id = r.getString(1);
      boolean inDomain = domain.equals("__all__") || r.getString(4).equals(domain);
      boolean paired =
          f.rows().stream().anyMatch(o -> o.getString(2).equals(with) && o.getString(1).equals(id));
      if (r.getString(2).equals(model) && inDomain && paired) {
        nll += r.getDouble(6);
        tokens += r.getLong(5);
        bytes += r.getLong(9);
      }
    }
    return new double[] {nll, tokens, bytes};
  }

  @Test
  void aConstantPenaltyPerTokenIsFoundAndNamesTheBetterModel() {
    SequenceFixtures f = fixtures();
    List<Comparison> all = SequenceBootstrap.compute(f.frame(spark, 3), BOOTSTRAP).comparisons();
    for (String domain : List.of("prose", "code", "__all__")) {
      Comparison c = find(all, "base", "worse", domain);
      double[] base = sums(f, "base", "worse", domain);
      assertThat(c.sequences())
          .isEqualTo(domain.equals("__all__") ? 60 : domain.equals("prose") ? 40 : 20);
      // b - a in mean NLL is exactly the penalty, in every replicate too.
      assertThat(c.meanNllDiff()).isCloseTo(PENALTY, within(1e-12));
      assertThat(c.meanNllDiffLow()).isCloseTo(PENALTY, within(1e-12));
      assertThat(c.meanNllDiffHigh()).isCloseTo(PENALTY, within(1e-12));
      // In bits per byte: penalty x tokens / (ln 2 x bytes) over the paired sequences.
      assertThat(c.bitsPerByteDiff())
          .isCloseTo(PENALTY * base[1] / (LN_2 * base[2]), within(1e-12));
      assertThat(c.bitsPerByteA()).isCloseTo(base[0] / (LN_2 * base[2]), within(1e-12));
      assertThat(c.bitsPerByteDiffLow()).isPositive().isLessThan(c.bitsPerByteDiff());
      assertThat(c.bitsPerByteDiffHigh()).isGreaterThan(c.bitsPerByteDiff());
      assertThat(c.better()).isEqualTo("base");
      assertThat(c.betterTokenizer()).isEqualTo("bpe");
      assertThat(c.replicates()).isEqualTo(300);
      assertThat(c.confidence()).isEqualTo(0.95);
    }
  }

  @Test
  void identicalModelsDifferByZeroAndNeitherIsBetter() {
    List<Comparison> all =
        SequenceBootstrap.compute(fixtures().frame(spark, 2), BOOTSTRAP).comparisons();
    Comparison c = find(all, "base", "twin", "__all__");
    assertThat(c.bitsPerByteDiff()).isZero();
    assertThat(c.bitsPerByteDiffLow()).isZero();
    assertThat(c.bitsPerByteDiffHigh()).isZero();
    assertThat(c.meanNllDiff()).isZero();
    assertThat(c.better()).isNull();
    assertThat(c.betterTokenizer()).isNull();
  }

  @Test
  void acrossTokenizersOnlyBitsPerByteIsComparedAndOnlyOverSharedSequences() {
    SequenceFixtures f = fixtures();
    List<Comparison> all = SequenceBootstrap.compute(f.frame(spark, 4), BOOTSTRAP).comparisons();
    Comparison c = find(all, "base", "other-tok", "code");
    assertThat(c.sequences()).isEqualTo(20);
    assertThat(c.meanNllDiff()).isNull();
    assertThat(c.meanNllDiffLow()).isNull();
    // Same NLL and bytes per sequence: the same bits per byte, whatever the token counts.
    assertThat(c.bitsPerByteDiff()).isZero();
    assertThat(c.better()).isNull();
    double[] base = sums(f, "base", "other-tok", "code");
    assertThat(c.bitsPerByteA()).isCloseTo(base[0] / (LN_2 * base[2]), within(1e-12));
    assertThat(c.meanNllB()).isCloseTo(base[0] / (2 * base[1]), within(1e-12));
    // other-tok scored no prose: no prose comparison, and its __all__ covers the code sequences.
    assertThat(all).noneMatch(x -> x.modelB().equals("other-tok") && x.domain().equals("prose"));
    assertThat(find(all, "base", "other-tok", "__all__").sequences()).isEqualTo(20);
  }

  @Test
  void comparisonsAreTheSameWhateverThePartitioning() {
    SequenceFixtures f = fixtures();
    List<Comparison> one = SequenceBootstrap.compute(f.frame(spark, 1), BOOTSTRAP).comparisons();
    // Forced through the two shuffles; the small input alone would run as one task.
    List<Comparison> five =
        SequenceBootstrap.compute(f.frame(spark, 5), BOOTSTRAP, 0).comparisons();
    // 6 pairs of the 4 models; other-tok's 3 pairs cover one domain (+ __all__), the others two.
    assertThat(one).hasSize(3 * 3 + 3 * 2).isEqualTo(five);
    assertThat(one.get(one.size() - 1).domain()).isEqualTo("__all__");
  }

  @Test
  void withoutReplicatesTheDifferencesRemainAndNothingIsDecided() {
    List<Comparison> all =
        SequenceBootstrap.compute(fixtures().frame(spark, 2), new BootstrapConfig(0, 5, 0.95))
            .comparisons();
    Comparison c = find(all, "base", "worse", "__all__");
    assertThat(c.meanNllDiff()).isCloseTo(PENALTY, within(1e-12));
    assertThat(c.bitsPerByteDiffLow()).isNull();
    assertThat(c.better()).isNull();
    assertThat(c.replicates()).isNull();
  }
}
