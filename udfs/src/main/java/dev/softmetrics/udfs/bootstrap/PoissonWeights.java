package dev.softmetrics.udfs.bootstrap;

/**
 * Poisson(1) bootstrap weights that are a pure function of (seed, replicate, sequence identity), so
 * a sequence gets the same weight in replicate {@code r} wherever and in whatever order it is
 * processed: in any task, on any executor, in the scoring of any model.
 *
 * <p>Why Poisson: the multinomial bootstrap draws n items with replacement, which needs the whole
 * sample in one place. Giving each item an independent Poisson(1) count instead approximates it
 * (the counts of a multinomial(n, 1/n) tend to independent Poisson(1) as n grows) and needs nothing
 * but the item itself, so the resampling runs where the data are (Hanley and MacGibbon 2006;
 * Chamandy et al. 2012, who derive the counts from a hash for the same reason). See
 * docs/ANALYSIS.md.
 *
 * <p>How: {@link #sequenceKey} hashes the seed and the sequence's (domain, sequence_id) to 64 bits;
 * replicate {@code r}'s uniform is the SplitMix64 output {@code mix64(key + (r + 1) * gamma)}
 * (Steele, Lea and Flood 2014), turned into a count by inverting the Poisson(1) distribution
 * function against a table of 63-bit thresholds (looked up by the uniform's top bits first). Counts
 * never exceed {@link #MAX_WEIGHT}: beyond it the tail is below 2^-63, so no 63-bit uniform reaches
 * it. Everything is integer arithmetic over a table built with {@link StrictMath}, so the weights
 * are the same on every JVM.
 *
 * <p>Cost: {@link #sequenceKey} is O(length of the labels); {@link #weight} is O(1), a mix of about
 * ten integer operations and one table load, without a data-dependent branch for 99.6% of the
 * uniforms; nothing allocates.
 */
public final class PoissonWeights {
  private PoissonWeights() {}

  static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  static final long MIX_1 = 0xBF58476D1CE4E5B9L;
  static final long MIX_2 = 0x94D049BB133111EBL;
  private static final long FNV_PRIME = 0x100000001B3L;

  /** {@code THRESHOLDS[k] = floor(P(W <= k) * 2^63)}; the last is {@code 2^63 - 1}. */
  private static final long[] THRESHOLDS = thresholds();

  /** The largest weight {@link #weight} returns. */
  public static final int MAX_WEIGHT = THRESHOLDS.length - 1;

  /** Bits of the uniform that index {@link #BY_TOP_BITS}. */
  private static final int TOP_BITS = 12;

  /**
   * The weight of every uniform whose top {@link #TOP_BITS} bits are the index, or -1 where a
   * threshold falls inside that range: one load instead of a search for all but about 0.4% of the
   * uniforms, with the same result.
   */
  private static final byte[] BY_TOP_BITS = topBitsTable();

  private static byte[] topBitsTable() {
    byte[] table = new byte[1 << TOP_BITS];
    int shift = 63 - TOP_BITS;
    for (int i = 0; i < table.length; i++) {
      long first = (long) i << shift;
      long last = first | ((1L << shift) - 1);
      int low = search(first);
      table[i] = (byte) (low == search(last) ? low : -1);
    }
    return table;
  }

  /** The smallest {@code k} with {@code uniform < THRESHOLDS[k]}, or {@link #MAX_WEIGHT}. */
  private static int search(long uniform) {
    int k = 0;
    while (uniform >= THRESHOLDS[k] && k < MAX_WEIGHT) {
      k++;
    }
    return k;
  }

  private static long[] thresholds() {
    long[] table = new long[64];
    double term = StrictMath.exp(-1);
    double cdf = 0;
    for (int k = 0; ; k++) {
      double next = cdf + term;
      // The last count takes the rest of the range: where the CDF reaches 1 in double, or stops
      // growing because the tail is below its last bit.
      if (next >= 1.0 || next == cdf) {
        table[k] = Long.MAX_VALUE;
        return java.util.Arrays.copyOf(table, k + 1);
      }
      cdf = next;
      table[k] = (long) (cdf * 0x1p63);
      term /= k + 1;
    }
  }

  /**
   * The 64-bit key of a sequence under a seed: the identity that replicates' weights derive from.
   * The same (seed, domain, sequence id) always gives the same key; two different ones collide with
   * probability about 2^-64.
   *
   * @param seed the bootstrap seed
   * @param domain the sequence's domain; not null
   * @param sequenceId the sequence's id; not null
   * @return the key
   */
  public static long sequenceKey(long seed, String domain, String sequenceId) {
    long h = absorb(mix64(seed), domain);
    return mix64(absorb(h, sequenceId));
  }

  /**
   * {@link #sequenceKey(long, String, String)} of labels given as their UTF-8 bytes, all ASCII (so
   * each byte is one UTF-16 unit of the string): the same key, without decoding the bytes into
   * strings first. Check with {@link #isAscii}.
   *
   * @throws IllegalArgumentException if a byte is not ASCII
   */
  public static long sequenceKeyOfAscii(long seed, byte[] domain, byte[] sequenceId) {
    long h = absorbAscii(mix64(seed), domain);
    return mix64(absorbAscii(h, sequenceId));
  }

  /** True when every byte is below 0x80. */
  public static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static long absorbAscii(long h, byte[] s) {
    h = mix64(h ^ s.length);
    for (byte b : s) {
      if (b < 0) {
        throw new IllegalArgumentException(
            String.format("Invalid label byte 0x%02X (must be ASCII)", b & 0xFF));
      }
      h = (h ^ b) * FNV_PRIME;
    }
    return h;
  }

  /** FNV-1a over the UTF-16 units, after the length, so that ("ab", "c") and ("a", "bc") differ. */
  private static long absorb(long h, String s) {
    h = mix64(h ^ s.length());
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * FNV_PRIME;
    }
    return h;
  }

  /**
   * The weight of a sequence in one replicate: a Poisson(1) count, 0 to {@link #MAX_WEIGHT}.
   *
   * @param key the sequence's {@link #sequenceKey}
   * @param replicate the replicate, from 0
   * @return the number of times the sequence counts in that replicate
   */
  public static int weight(long key, int replicate) {
    long uniform = mix64(key + (replicate + 1L) * GOLDEN_GAMMA) >>> 1;
    int k = BY_TOP_BITS[(int) (uniform >>> (63 - TOP_BITS))];
    return k >= 0 ? k : search(uniform);
  }

  /**
   * The weights of a sequence in replicates {@code 0 .. out.length - 1}.
   *
   * @param key the sequence's {@link #sequenceKey}
   * @param out filled with one weight per replicate; the caller owns it
   */
  public static void weights(long key, int[] out) {
    for (int r = 0; r < out.length; r++) {
      out[r] = weight(key, r);
    }
  }

  /**
   * {@code floor(P(W <= k) * 2^63)} for a Poisson(1) count {@code W}; k below {@link #MAX_WEIGHT}.
   */
  static long threshold(int k) {
    return THRESHOLDS[k];
  }

  /** SplitMix64's output function (Stafford's variant 13). */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * MIX_1;
    z = (z ^ (z >>> 27)) * MIX_2;
    return z ^ (z >>> 31);
  }
}
