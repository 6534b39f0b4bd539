package dev.softmetrics.udfs.bootstrap;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ReplicateSums#addDrawn}'s loop over replicates with the Vector API: a sequence's Poisson
 * weights drawn in {@link #LANES} replicates at once and multiplied into the replicates' sums, with
 * the same bits as {@link PoissonWeights#weight} and {@link ReplicateSums#add}.
 *
 * <p>How: SplitMix64 in long lanes (the counters {@code key + (r + 1) * gamma} of consecutive
 * replicates); then the weight, which is the number of thresholds at or below the uniform, counted
 * over the first {@link #COMPARED} thresholds from the sign of {@code uniform - threshold} (both
 * are below 2^63, so the difference cannot overflow): no mask, no branch. Weights above {@link
 * #COMPARED} (a uniform past the last compared threshold: 1.0e-5 of them, so about 1% of sequences
 * at 1000 replicates) are added by a scalar pass over the sequence's replicates afterwards, which
 * an AND of the differences across the loop tells apart without a test per step. Measured by {@code
 * BootstrapBench} (bench/kernels.sh). Only loaded through {@link BootstrapVectors}, when the module
 * is present.
 */
final class VectorDraws {
  private VectorDraws() {}

  private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;

  /** Replicates drawn per step. */
  static final int LANES = LONGS.length();

  /** Thresholds compared in lanes: weights up to this are counted there. */
  static final int COMPARED = 8;

  private static final long T0 = PoissonWeights.threshold(0);
  private static final long T1 = PoissonWeights.threshold(1);
  private static final long T2 = PoissonWeights.threshold(2);
  private static final long T3 = PoissonWeights.threshold(3);
  private static final long T4 = PoissonWeights.threshold(4);
  private static final long T5 = PoissonWeights.threshold(5);
  private static final long T6 = PoissonWeights.threshold(6);
  private static final long T7 = PoissonWeights.threshold(COMPARED - 1);

  /** The preferred vector width of this CPU, in bits. */
  static int preferredBits() {
    return LONGS.vectorBitSize();
  }

  /**
   * Adds each replicate's weight times {@code (whole, fraction, tokens, bytes)} to the arrays, for
   * replicates {@code 0} to {@link #bound(int)}{@code (replicates) - 1}; the caller does the rest.
   */
  static void add(
      long key,
      long whole,
      long fraction,
      long tokens,
      long bytes,
      long[] wholeSums,
      long[] fractionSums,
      long[] tokenSums,
      long[] byteSums,
      int replicates) {
    int bound = bound(replicates);
    LongVector counter = FIRST_COUNTERS.add(key);
    long step = LANES * PoissonWeights.GOLDEN_GAMMA;
    // The sign bit of a lane stays set while every uniform in it is below the last threshold.
    LongVector allBelow = LongVector.broadcast(LONGS, -1L);
    for (int r = 0; r < bound; r += LANES) {
      LongVector z = counter;
      counter = counter.add(step);
      z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(MIX_1);
      z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(MIX_2);
      z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
      LongVector uniform = z.lanewise(VectorOperators.LSHR, 1);
      LongVector last = uniform.sub(T7);
      allBelow = allBelow.and(last);
      // -1 for each threshold above the uniform: the weight is COMPARED less their number.
      LongVector weight =
          below(uniform, T0)
              .add(below(uniform, T1))
              .add(below(uniform, T2))
              .add(below(uniform, T3))
              .add(below(uniform, T4))
              .add(below(uniform, T5))
              .add(below(uniform, T6))
              .add(last.lanewise(VectorOperators.ASHR, 63))
              .add(COMPARED);
      LongVector.fromArray(LONGS, wholeSums, r).add(weight.mul(whole)).intoArray(wholeSums, r);
      LongVector.fromArray(LONGS, fractionSums, r)
          .add(weight.mul(fraction))
          .intoArray(fractionSums, r);
      LongVector.fromArray(LONGS, tokenSums, r).add(weight.mul(tokens)).intoArray(tokenSums, r);
      LongVector.fromArray(LONGS, byteSums, r).add(weight.mul(bytes)).intoArray(byteSums, r);
    }
    if (allBelow.reduceLanes(VectorOperators.AND) >= 0) {
      // Some uniform reached the last threshold: add what its weight has beyond COMPARED.
      for (int r = 0; r < bound; r++) {
        long extra = PoissonWeights.weight(key, r) - COMPARED;
        if (extra > 0) {
          wholeSums[r] += extra * whole;
          fractionSums[r] += extra * fraction;
          tokenSums[r] += extra * tokens;
          byteSums[r] += extra * bytes;
        }
      }
    }
  }

  /** -1 in the lanes whose uniform is below {@code threshold}, else 0. */
  private static LongVector below(LongVector uniform, long threshold) {
    return uniform.sub(threshold).lanewise(VectorOperators.ASHR, 63);
  }

  /** The replicates {@link #add} covers: {@code replicates} rounded down to whole steps. */
  static int bound(int replicates) {
    return LONGS.loopBound(replicates);
  }

  private static final long MIX_1 = PoissonWeights.MIX_1;
  private static final long MIX_2 = PoissonWeights.MIX_2;

  /** Lane {@code i}: {@code (i + 1) * gamma}, the counter of replicate {@code i} less the key. */
  private static final LongVector FIRST_COUNTERS = firstCounters();

  private static LongVector firstCounters() {
    long[] gammas = new long[LANES];
    for (int i = 0; i < LANES; i++) {
      gammas[i] = (i + 1L) * PoissonWeights.GOLDEN_GAMMA;
    }
    return LongVector.fromArray(LONGS, gammas, 0);
  }
}
