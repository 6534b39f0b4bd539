package dev.softmetrics.udfs.logits;

import java.util.Random;

/**
 * Prints the vector kernel's width and the raw bits of its metrics for fixed logits, so that a test
 * can compare a JVM restricted to AVX2 with one that uses the machine's widest vectors; then a
 * digest of the bfloat16 decode of every pattern and of random logits, with the maximum found.
 */
public final class KernelBitsProbe {
  private KernelBitsProbe() {}

  private static final int VOCAB = 4_099;
  private static final int POSITIONS = 3;

  public static void main(String[] args) {
    System.out.println(VectorSoftmax.preferredBits() + " " + bits(SoftmaxKernel.vector()));
  }

  /** The metrics of a few positions of Gaussian logits (with some -inf), as hex bits. */
  static String bits(SoftmaxKernel kernel) {
    Random random = new Random(5);
    float[] z = new float[VOCAB * POSITIONS];
    float[] r = new float[VOCAB * POSITIONS];
    for (int i = 0; i < z.length; i++) {
      z[i] = i % 97 == 0 ? Float.NEGATIVE_INFINITY : (float) (random.nextGaussian() * 4);
      r[i] = (float) (random.nextGaussian() * 4);
    }
    StringBuilder out = new StringBuilder();
    PositionMetrics m = new PositionMetrics();
    for (int p = 0; p < POSITIONS; p++) {
      kernel.scoreWithReference(z, p * VOCAB, r, p * VOCAB, VOCAB, 17, m);
      for (double v : new double[] {m.nll, m.entropy, m.klForward, m.klReverse}) {
        out.append(Long.toHexString(Double.doubleToRawLongBits(v))).append(' ');
      }
    }
    out.setLength(out.length() - 1);
    SoftmaxDefinitions definitions = (SoftmaxDefinitions) kernel;
    short[] halves = new short[65_536 + 4_099];
    for (int i = 0; i < halves.length; i++) {
      halves[i] = i < 65_536 ? (short) i : (short) (Float.floatToRawIntBits(r[i - 65_536]) >>> 16);
    }
    for (int[] range : new int[][] {{0, 65_536}, {65_536, 4_099}}) {
      short[] part = java.util.Arrays.copyOfRange(halves, range[0], range[0] + range[1]);
      float[] into = new float[part.length];
      long decoded = definitions.decodeBfloat16(part, part.length, into);
      // Which NaN a maximum returns is not specified, only that it is NaN.
      long digest = Float.floatToIntBits(SoftmaxDefinitions.maxOf(decoded));
      for (float v : into) {
        digest = digest * 31 + Float.floatToRawIntBits(v);
      }
      out.append(' ').append(Long.toHexString(digest));
    }
    return out.toString();
  }
}
