package dev.softmetrics.udfs.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplicateSums#addDrawn} (weights drawn inside the sums' loop, with the Vector API where
 * the JVM has it) against the definition: per replicate, {@link PoissonWeights#weight} times each
 * sequence's values, summed exactly with BigDecimal and longs; and bit for bit against {@link
 * ReplicateSums#add} with the weights array.
 */
class DrawnReplicateSumsTest {

  private static final BigDecimal UNIT = new BigDecimal(0x1p-52);

  /** Replicate counts around every vector width's steps, 0 and 1000 (the default). */
  private static final int[] REPLICATES = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 1000, 1001};

  @Test
  void sumsAreTheDefinitionsForEveryReplicateCount() {
    for (int replicates : REPLICATES) {
      SplittableRandom random = new SplittableRandom(replicates);
      ReplicateSums drawn = new ReplicateSums(replicates);
      BigDecimal[] nll = new BigDecimal[replicates];
      long[] tokens = new long[replicates];
      long[] bytes = new long[replicates];
      java.util.Arrays.fill(nll, BigDecimal.ZERO);
      int sequences = 300;
      for (int i = 0; i < sequences; i++) {
        long key = PoissonWeights.sequenceKey(42, "web", "s-" + i);
        double value = i % 11 == 0 ? -1e-4 * random.nextDouble() : random.nextDouble(0, 5000);
        long t = 1 + random.nextInt(4096);
        long b = random.nextLong(1L << 40);
        drawn.addDrawn(key, value, t, b);
        BigDecimal truncated =
            new BigDecimal(Math.floor(value))
                .add(new BigDecimal((long) ((value - Math.floor(value)) * 0x1p52)).multiply(UNIT));
        for (int r = 0; r < replicates; r++) {
          int w = PoissonWeights.weight(key, r);
          nll[r] = nll[r].add(truncated.multiply(BigDecimal.valueOf(w)));
          tokens[r] += w * t;
          bytes[r] += w * b;
        }
      }
      for (int r = 0; r < replicates; r++) {
        assertThat(drawn.nll(r))
            .as("nll, replicate %d of %d", r, replicates)
            .isEqualTo(nll[r].doubleValue());
        assertThat(drawn.tokens(r))
            .as("tokens, replicate %d of %d", r, replicates)
            .isEqualTo(tokens[r]);
        assertThat(drawn.bytes(r))
            .as("bytes, replicate %d of %d", r, replicates)
            .isEqualTo(bytes[r]);
      }
      assertThat(drawn.sequences()).isEqualTo(sequences);
    }
  }

  /**
   * Keys whose weights go past those the vector loop counts in lanes (nine and more, about one
   * uniform in 100,000): found by search, then their sums compared bit for bit with {@link
   * ReplicateSums#add}, as for ordinary keys and for many additions across the carries.
   */
  @Test
  void largeWeightsAndManyAdditionsGiveTheSameBitsAsTheWeightsArray() {
    int replicates = 1000;
    int[] weights = new int[replicates];
    ReplicateSums drawn = new ReplicateSums(replicates);
    ReplicateSums given = new ReplicateSums(replicates);
    // Heavy keys first (a weight of 9 or more somewhere: about one key in 900), by search.
    long[] heavy = new long[20];
    int found = 0;
    int maxWeight = 0;
    for (int i = 0; found < heavy.length; i++) {
      long key = PoissonWeights.sequenceKey(7, "code", "heavy-" + i);
      PoissonWeights.weights(key, weights);
      int most = java.util.Arrays.stream(weights).max().orElse(0);
      if (most > 8) {
        heavy[found++] = key;
        maxWeight = Math.max(maxWeight, most);
      }
    }
    assertThat(maxWeight).isGreaterThanOrEqualTo(9);
    SplittableRandom random = new SplittableRandom(9);
    int additions = 3 * ReplicateSums.CARRY_EVERY + 500;
    for (int i = 0; i < additions; i++) {
      long key =
          i % 40 == 0 && i / 40 < heavy.length
              ? heavy[i / 40]
              : PoissonWeights.sequenceKey(7, "code", "seq-" + i);
      PoissonWeights.weights(key, weights);
      double value = random.nextDouble(0, 1e6);
      long t = random.nextInt(1 << 20);
      long b = random.nextInt(1 << 24);
      drawn.addDrawn(key, value, t, b);
      given.add(weights, value, t, b);
    }
    for (int r = 0; r < replicates; r++) {
      assertThat(Double.doubleToRawLongBits(drawn.nll(r)))
          .isEqualTo(Double.doubleToRawLongBits(given.nll(r)));
      assertThat(drawn.tokens(r)).isEqualTo(given.tokens(r));
      assertThat(drawn.bytes(r)).isEqualTo(given.bytes(r));
    }
    assertThat(drawn.sampleNll()).isEqualTo(given.sampleNll());
    assertThat(drawn.sampleTokens()).isEqualTo(given.sampleTokens());
  }

  @Test
  void outOfRangeAndNonFiniteValuesBehaveAsWithTheWeightsArray() {
    ReplicateSums drawn = new ReplicateSums(6);
    drawn.addDrawn(PoissonWeights.sequenceKey(1, "d", "a"), 2.5, 1, 1);
    drawn.addDrawn(PoissonWeights.sequenceKey(1, "d", "b"), 3.4e38, 1, 1);
    assertThat(drawn.nll(0)).isNaN();
    assertThat(drawn.sampleNll()).isEqualTo(3.4e38 + 2.5);
    assertThat(drawn.sequences()).isEqualTo(2);
    assertThatThrownBy(() -> drawn.addDrawn(1L, Double.POSITIVE_INFINITY, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid nll_sum: Infinity (must be finite)");
  }
}
