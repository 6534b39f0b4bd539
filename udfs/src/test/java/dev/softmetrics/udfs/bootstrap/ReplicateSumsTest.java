package dev.softmetrics.udfs.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReplicateSumsTest {

  private static final double LN_2 = Math.log(2);

  @Test
  void weightedSumsByHand() {
    ReplicateSums sums = new ReplicateSums(3);
    sums.add(new int[] {2, 0, 1}, 1.5, 3, 10);
    sums.add(new int[] {1, 1, 0}, 2.25, 4, 20);

    // Replicate 0: 2 x (1.5, 3, 10) + (2.25, 4, 20); replicate 1: the second; replicate 2: the
    // first.
    assertThat(sums.nll(0)).isEqualTo(5.25);
    assertThat(sums.tokens(0)).isEqualTo(10);
    assertThat(sums.bytes(0)).isEqualTo(40);
    assertThat(sums.nll(1)).isEqualTo(2.25);
    assertThat(sums.tokens(1)).isEqualTo(4);
    assertThat(sums.nll(2)).isEqualTo(1.5);
    assertThat(sums.bytes(2)).isEqualTo(10);
    assertThat(sums.meanNll()).containsExactly(0.525, 2.25 / 4, 0.5);
    assertThat(sums.pplToken()[2]).isEqualTo(Math.exp(0.5));
    assertThat(sums.bitsPerByte()[1]).isEqualTo(2.25 / (LN_2 * 20));
    assertThat(sums.sequences()).isEqualTo(2);
    assertThat(sums.sampleNll()).isEqualTo(3.75);
    assertThat(sums.sampleTokens()).isEqualTo(7);
    assertThat(sums.sampleBytes()).isEqualTo(30);
  }

  @Test
  void aReplicateWithAllWeightsZeroIsUndefined() {
    ReplicateSums sums = new ReplicateSums(2);
    sums.add(new int[] {0, 1}, 1.0, 1, 1);
    assertThat(sums.pplToken()[0]).isNaN();
    assertThat(sums.bitsPerByte()[0]).isNaN();
    assertThat(sums.pplToken()[1]).isEqualTo(Math.E);
  }

  @Test
  void anySplitAndMergeOrderGivesTheSameBits() {
    int replicates = 50;
    SplittableRandom random = new SplittableRandom(11);
    int n = 2_000;
    double[] nll = new double[n];
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      // Magnitudes from 1e-6 to 1e6 nats, and a few slightly negative NLLs (tolerated log-probs).
      nll[i] = i % 97 == 0 ? -1e-5 * random.nextDouble() : Math.pow(10, random.nextDouble(-6, 6));
      keys[i] = PoissonWeights.sequenceKey(5, "d", "s" + i);
    }
    ReplicateSums forward = new ReplicateSums(replicates);
    int[] weights = new int[replicates];
    for (int i = 0; i < n; i++) {
      PoissonWeights.weights(keys[i], weights);
      forward.add(weights, nll[i], i % 7 + 1, i % 13);
    }
    ReplicateSums[] parts = new ReplicateSums[3];
    for (int p = 0; p < parts.length; p++) {
      parts[p] = new ReplicateSums(replicates);
    }
    for (int i = n - 1; i >= 0; i--) {
      PoissonWeights.weights(keys[i], weights);
      parts[(i * 31) % 3].add(weights, nll[i], i % 7 + 1, i % 13);
    }
    ReplicateSums merged = new ReplicateSums(replicates);
    merged.merge(parts[2]);
    merged.merge(parts[0]);
    merged.merge(parts[1]);
    for (int r = 0; r < replicates; r++) {
      assertThat(Double.doubleToRawLongBits(merged.nll(r)))
          .isEqualTo(Double.doubleToRawLongBits(forward.nll(r)));
      assertThat(merged.tokens(r)).isEqualTo(forward.tokens(r));
      assertThat(merged.bytes(r)).isEqualTo(forward.bytes(r));
    }
    assertThat(merged.sampleNll()).isEqualTo(forward.sampleNll());

    BigDecimal exact = BigDecimal.ZERO;
    for (double x : nll) {
      exact = exact.add(new BigDecimal(x));
    }
    assertThat(forward.sampleNll()).isCloseTo(exact.doubleValue(), within(1e-9));
  }

  /**
   * The largest weights and fractions just below 1, for many more additions than the fractions take
   * between carries, read in the middle and merged: each replicate's sum must be the exact one
   * (BigDecimal over each NLL rounded down to 2^-52, as documented) rounded to a double once.
   */
  @Test
  void carriesAtTheLimitsGiveTheExactSums() {
    int[] weights = {PoissonWeights.MAX_WEIGHT, 1, 0, PoissonWeights.MAX_WEIGHT};
    double[] values = {1 - 0x1p-52, 12_345.999_999_999_9, 0.75, 7 - 0x1p-50};
    ReplicateSums sums = new ReplicateSums(weights.length);
    ReplicateSums other = new ReplicateSums(weights.length);
    BigDecimal[] exact = new BigDecimal[weights.length];
    java.util.Arrays.fill(exact, BigDecimal.ZERO);
    int additions = 10 * ReplicateSums.CARRY_EVERY + 3;
    for (int i = 0; i < additions; i++) {
      double nll = values[i % values.length];
      (i % 3 == 0 ? other : sums).add(weights, nll, 5, 9);
      BigDecimal truncated =
          new BigDecimal(Math.floor(nll))
              .add(new BigDecimal((long) ((nll - Math.floor(nll)) * 0x1p52)).multiply(UNIT));
      for (int r = 0; r < weights.length; r++) {
        exact[r] = exact[r].add(truncated.multiply(BigDecimal.valueOf(weights[r])));
      }
      if (i == additions / 2) {
        assertThat(sums.nll(2)).isEqualTo(0.0);
      }
    }
    sums.merge(other);
    for (int r = 0; r < weights.length; r++) {
      assertThat(sums.nll(r)).isEqualTo(exact[r].doubleValue());
      assertThat(sums.tokens(r)).isEqualTo(5L * weights[r] * additions);
      assertThat(sums.bytes(r)).isEqualTo(9L * weights[r] * additions);
    }
    assertThat(ReplicateSums.CARRY_EVERY).isGreaterThan(16);
  }

  private static final BigDecimal UNIT = new BigDecimal(0x1p-52);

  @Test
  void anNllBeyondTheFixedPointRangeLeavesTheReplicatesUndefinedButTheSampleExact() {
    ReplicateSums sums = new ReplicateSums(2);
    sums.add(new int[] {1, 1}, 1.0, 1, 1);
    ReplicateSums huge = new ReplicateSums(2);
    huge.add(new int[] {1, 0}, 3.4e38, 1, 1);
    sums.merge(huge);
    assertThat(sums.nll(0)).isNaN();
    assertThat(sums.pplToken()[1]).isNaN();
    assertThat(sums.sampleNll()).isEqualTo(3.4e38 + 1.0);
    assertThat(sums.sequences()).isEqualTo(2);
  }

  @Test
  void badArgumentsAreRejected() {
    ReplicateSums sums = new ReplicateSums(2);
    assertThatThrownBy(() -> sums.add(new int[3], 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid weights: 3 of them (must be one per replicate, 2)");
    assertThatThrownBy(() -> sums.add(new int[2], Double.NaN, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid nll_sum: NaN (must be finite)");
    assertThatThrownBy(() -> sums.merge(new ReplicateSums(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot merge replicate sums: 3 replicates into 2");
    assertThatThrownBy(() -> new ReplicateSums(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid replicates: -1 (must be >= 0)");
  }

  /**
   * Coverage on data with a known answer: sequences of 1..20 tokens whose NLL is tokens x an
   * Exponential(1) loss, so the pooled mean NLL per token estimates exactly 1. Over seeded trials,
   * the 95% interval must contain 1 about 95% of the time and the 50% interval about half the time
   * (so the intervals are neither too wide nor too narrow).
   */
  @Test
  void percentileIntervalsOfThePooledMeanCoverTheTruthAtTheirConfidence() {
    int trials = 300;
    int sequences = 150;
    int replicates = 400;
    int covered95 = 0;
    int covered50 = 0;
    SplittableRandom data = new SplittableRandom(2024);
    int[] weights = new int[replicates];
    for (int trial = 0; trial < trials; trial++) {
      ReplicateSums sums = new ReplicateSums(replicates);
      for (int i = 0; i < sequences; i++) {
        long tokens = 1 + data.nextInt(20);
        double nll = tokens * -Math.log(1 - data.nextDouble());
        PoissonWeights.weights(PoissonWeights.sequenceKey(trial, "d", "s" + i), weights);
        sums.add(weights, nll, tokens, 4 * tokens);
      }
      double[] meanNll = sums.meanNll();
      if (contains(PercentileInterval.of(meanNll, 0.95), 1.0)) {
        covered95++;
      }
      if (contains(PercentileInterval.of(meanNll, 0.50), 1.0)) {
        covered50++;
      }
    }
    // Binomial standard errors over 300 trials: 0.013 at 95%, 0.029 at 50%; the percentile
    // bootstrap of a skewed mean also undercovers a little at this sample size.
    assertThat((double) covered95 / trials).isBetween(0.90, 0.99);
    assertThat((double) covered50 / trials).isBetween(0.40, 0.60);
  }

  private static boolean contains(PercentileInterval ci, double truth) {
    return ci.low() <= truth && truth <= ci.high();
  }
}
