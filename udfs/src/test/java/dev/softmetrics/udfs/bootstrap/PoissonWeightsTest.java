package dev.softmetrics.udfs.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PoissonWeightsTest {

  private static final double E_INVERSE = 0.36787944117144233;

  @Test
  void replicateUniformsAreTheSplitMix64StreamOfTheKey() {
    // java.util.SplittableRandom is SplitMix64 with the same gamma and mixer: an independent
    // implementation of the stream each key's replicates draw from.
    long key = PoissonWeights.sequenceKey(7, "wiki", "doc-1");
    SplittableRandom reference = new SplittableRandom(key);
    for (int r = 0; r < 100; r++) {
      long uniform = reference.nextLong() >>> 1;
      assertThat(PoissonWeights.weight(key, r)).isEqualTo(poissonByInversion(uniform));
    }
  }

  /** The Poisson(1) count whose distribution function first exceeds {@code uniform / 2^63}. */
  private static int poissonByInversion(long uniform) {
    double u = uniform * 0x1p-63;
    double cdf = 0;
    double term = E_INVERSE;
    int k = 0;
    while (true) {
      cdf += term;
      if (u < cdf || k == PoissonWeights.MAX_WEIGHT) {
        return k;
      }
      k++;
      term /= k;
    }
  }

  @Test
  void weightsFollowPoissonOne() {
    int draws = 1_000_000;
    long[] counts = new long[PoissonWeights.MAX_WEIGHT + 1];
    double sum = 0;
    double squares = 0;
    int[] weights = new int[100];
    for (int i = 0; i < draws / weights.length; i++) {
      PoissonWeights.weights(PoissonWeights.sequenceKey(1, "d", "s" + i), weights);
      for (int w : weights) {
        counts[w]++;
        sum += w;
        squares += (double) w * w;
      }
    }
    double mean = sum / draws;
    // Poisson(1): mean 1, variance 1; P(0) = P(1) = 1/e, P(2) = 1/(2e), P(3) = 1/(6e).
    assertThat(mean).isCloseTo(1.0, within(0.005));
    assertThat(squares / draws - mean * mean).isCloseTo(1.0, within(0.01));
    double[] expected = {E_INVERSE, E_INVERSE, E_INVERSE / 2, E_INVERSE / 6, E_INVERSE / 24};
    for (int k = 0; k < expected.length; k++) {
      double sd = Math.sqrt(expected[k] * (1 - expected[k]) / draws);
      assertThat((double) counts[k] / draws)
          .as("P(W = %d)", k)
          .isCloseTo(expected[k], within(5 * sd));
    }
  }

  @Test
  void weightsOfNeighbouringReplicatesAndKeysAreUncorrelated() {
    int n = 200_000;
    double sumXy = 0;
    double sumXz = 0;
    for (int i = 0; i < n; i++) {
      long key = PoissonWeights.sequenceKey(3, "d", Integer.toString(i));
      long next = PoissonWeights.sequenceKey(3, "d", Integer.toString(i + 1));
      int x = PoissonWeights.weight(key, 0);
      sumXy += (x - 1.0) * (PoissonWeights.weight(key, 1) - 1.0);
      sumXz += (x - 1.0) * (PoissonWeights.weight(next, 0) - 1.0);
    }
    // Correlations of variance-1 variables; 5 standard errors is 5 / sqrt(n) ~ 0.011.
    assertThat(sumXy / n).isCloseTo(0.0, within(5 / Math.sqrt(n)));
    assertThat(sumXz / n).isCloseTo(0.0, within(5 / Math.sqrt(n)));
  }

  @Test
  void theKeyDependsOnSeedDomainAndIdAndTheirBoundary() {
    long key = PoissonWeights.sequenceKey(1, "ab", "c");
    assertThat(PoissonWeights.sequenceKey(1, "ab", "c")).isEqualTo(key);
    assertThat(PoissonWeights.sequenceKey(1, "a", "bc")).isNotEqualTo(key);
    assertThat(PoissonWeights.sequenceKey(2, "ab", "c")).isNotEqualTo(key);
    assertThat(PoissonWeights.sequenceKey(1, "c", "ab")).isNotEqualTo(key);
    assertThat(PoissonWeights.sequenceKey(1, "ab", "d")).isNotEqualTo(key);
  }

  @Test
  void theTableStopsWhereTheTailIsBelowTwoToTheMinus63() {
    // P(W > k) falls below 2^-53, where a double CDF stops growing, near k = 17 (1/18! ~ 1.6e-16).
    assertThat(PoissonWeights.MAX_WEIGHT).isBetween(15, 20);
    assertThat(PoissonWeights.weight(0, 0)).isBetween(0, PoissonWeights.MAX_WEIGHT);
  }

  @Test
  void asciiLabelsGiveTheSameKeyFromTheirBytesAsFromTheirStrings() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    for (int i = 0; i < 2000; i++) {
      char[] domain = new char[random.nextInt(12)];
      char[] id = new char[random.nextInt(40)];
      for (int k = 0; k < domain.length; k++) {
        domain[k] = (char) random.nextInt(128);
      }
      for (int k = 0; k < id.length; k++) {
        id[k] = (char) random.nextInt(128);
      }
      String d = new String(domain);
      String s = new String(id);
      byte[] db = d.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      byte[] sb = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(PoissonWeights.isAscii(db) && PoissonWeights.isAscii(sb)).isTrue();
      assertThat(PoissonWeights.sequenceKeyOfAscii(i, db, sb))
          .as("%s / %s", d, s)
          .isEqualTo(PoissonWeights.sequenceKey(i, d, s));
    }
    // Lengths are absorbed first: ("ab", "c") and ("a", "bc") still differ.
    assertThat(PoissonWeights.sequenceKeyOfAscii(1, new byte[] {'a', 'b'}, new byte[] {'c'}))
        .isNotEqualTo(
            PoissonWeights.sequenceKeyOfAscii(1, new byte[] {'a'}, new byte[] {'b', 'c'}));
  }

  @Test
  void bytesThatAreNotAsciiAreRefused() {
    byte[] naive = "na\u00efve".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(PoissonWeights.isAscii(naive)).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> PoissonWeights.sequenceKeyOfAscii(1, naive, new byte[] {'x'}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid label byte 0xC3 (must be ASCII)");
  }
}
