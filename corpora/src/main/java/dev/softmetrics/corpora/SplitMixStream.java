package dev.softmetrics.corpora;

/**
 * Steele, Lea and Flood's SplitMix64 with the draws the logits generator needs. It is the algorithm
 * {@link SyntheticCorpus} uses (whose copy is private to it), written out rather than {@link
 * java.util.SplittableRandom} so that the streams never change with the JDK.
 */
public final class SplitMixStream {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  /** sqrt(3): scales a sum of four uniforms, variance 1/3, to variance 1. */
  private static final double IRWIN_HALL_SCALE = 1.7320508075688772;

  private long state;

  public SplitMixStream(long seed) {
    state = seed;
  }

  /**
   * The seed of stream {@code n} of a kind: keyed by a base seed and the kind, so nearby n (and
   * nearby base seeds) give unrelated streams.
   */
  public static long streamSeed(long seed, long kind, long n) {
    return mix(mix(seed ^ kind) + n * GOLDEN_GAMMA);
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    state += GOLDEN_GAMMA;
    return mix(state);
  }

  /** Uniform in [0, bound) for bound >= 1, by scaling 32 random bits. */
  int nextInt(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /**
   * Gaussian-ish noise of mean 0 and variance 1, bounded by +-3.47: the Irwin-Hall sum of four
   * 16-bit uniforms from one draw. A vocabulary row needs a thousand of these per position, and
   * this costs a tenth of a Box-Muller draw with no transcendental function to differ across JVMs.
   */
  double nextNoise() {
    long bits = nextLong();
    long sum =
        (bits & 0xFFFF) + ((bits >>> 16) & 0xFFFF) + ((bits >>> 32) & 0xFFFF) + (bits >>> 48);
    // Each uniform is (k + 1/2) / 2^16, so the four have mean exactly 2.
    return ((sum + 2) * 0x1.0p-16 - 2.0) * IRWIN_HALL_SCALE;
  }
}
