package dev.softmetrics.udfs.logits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bfloat16 decode that the logits kernel fuses with the range pass: every element is the float
 * whose high 16 bits are its pattern (checked bit for bit against that rule, written out here), and
 * the returned maximum and minimum are the largest and smallest elements in {@link Float#compare}'s
 * order (so a NaN maximum if any is NaN, and +0 above -0), in both kernels and at lengths around
 * the vector widths.
 */
class Bfloat16DecodeTest {

  static Stream<Arguments> kernels() {
    return Stream.of(
        Arguments.of("scalar", ScalarSoftmax.INSTANCE),
        Arguments.of("vector", (SoftmaxDefinitions) SoftmaxKernel.vector()));
  }

  /** The largest of {@code values} in Float.compare's total order. */
  private static float largest(float[] values, int n) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      if (Float.compare(values[i], m) > 0) {
        m = values[i];
      }
    }
    return m;
  }

  /** The smallest of {@code values} in Float.compare's total order. */
  private static float smallest(float[] values, int n) {
    float m = Float.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      if (Float.compare(values[i], m) < 0) {
        m = values[i];
      }
    }
    return m;
  }

  private static void assertDecodes(SoftmaxDefinitions kernel, short[] halves, int vocab) {
    float[] into = new float[vocab + 3];
    Arrays.fill(into, 42f);
    long range = kernel.decodeBfloat16(halves, vocab, into);
    float max = SoftmaxDefinitions.maxOf(range);
    for (int i = 0; i < vocab; i++) {
      assertThat(Float.floatToRawIntBits(into[i]))
          .as("element %d of %d, pattern %04x", i, vocab, halves[i] & 0xFFFF)
          .isEqualTo((halves[i] & 0xFFFF) << 16);
    }
    assertThat(Arrays.copyOfRange(into, vocab, vocab + 3)).containsOnly(42f);
    assertThat(Float.floatToIntBits(max))
        .as("max of %d", vocab)
        .isEqualTo(Float.floatToIntBits(largest(into, vocab)));
    if (!Float.isNaN(max)) {
      assertThat(Float.floatToIntBits(SoftmaxDefinitions.minOf(range)))
          .as("min of %d", vocab)
          .isEqualTo(Float.floatToIntBits(smallest(into, vocab)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void everyPatternInOneCall(String name, SoftmaxDefinitions kernel) {
    short[] all = new short[65_536];
    for (int p = 0; p < all.length; p++) {
      all[p] = (short) p;
    }
    assertDecodes(kernel, all, all.length);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void finiteLogitsAtLengthsAroundTheVectorWidths(String name, SoftmaxDefinitions kernel) {
    SplittableRandom random = new SplittableRandom(7);
    for (int vocab : new int[] {1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 32_000}) {
      short[] halves = new short[vocab];
      for (int i = 0; i < vocab; i++) {
        float z = (float) (random.nextGaussian() * 8);
        halves[i] = (short) (Float.floatToRawIntBits(z) >>> 16);
      }
      assertDecodes(kernel, halves, vocab);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void theMaximumSeesNegativeInfinitySignedZerosAndANaNInTheTail(
      String name, SoftmaxDefinitions kernel) {
    short negInf = (short) 0xFF80;
    short negZero = (short) 0x8000;
    short nan = (short) 0x7FC1;
    short[] allNegInf = new short[37];
    Arrays.fill(allNegInf, negInf);
    assertDecodes(kernel, allNegInf, 37);
    assertThat(SoftmaxDefinitions.maxOf(kernel.decodeBfloat16(allNegInf, 37, new float[37])))
        .isEqualTo(Float.NEGATIVE_INFINITY);
    short[] zeros = new short[40];
    Arrays.fill(zeros, negZero);
    zeros[39] = 0;
    assertDecodes(kernel, zeros, 40);
    short[] tailNan = new short[35];
    Arrays.fill(tailNan, (short) 0x3F80);
    tailNan[34] = nan;
    assertDecodes(kernel, tailNan, 35);
    assertThat(SoftmaxDefinitions.maxOf(kernel.decodeBfloat16(tailNan, 35, new float[35]))).isNaN();
    short[] bodyNan = tailNan.clone();
    bodyNan[34] = 0x3F80;
    bodyNan[3] = nan;
    assertThat(SoftmaxDefinitions.maxOf(kernel.decodeBfloat16(bodyNan, 35, new float[35]))).isNaN();
  }
}
