package dev.softmetrics.udfs.logits;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both implementations against METRICS.md's vectors, analytic cases and a textbook formula computed
 * here without shifting; and the vector one against the scalar reference on random logits of many
 * vocabulary sizes.
 */
class SoftmaxKernelTest {

  static Stream<Arguments> kernels() {
    return Stream.of(
        Arguments.of("scalar", SoftmaxKernel.scalar()),
        Arguments.of("vector", SoftmaxKernel.vector()));
  }

  private static final float NEG_INF = Float.NEGATIVE_INFINITY;

  private static PositionMetrics score(SoftmaxKernel kernel, float[] z, int target) {
    PositionMetrics out = new PositionMetrics();
    kernel.score(z, 0, z.length, target, out);
    return out;
  }

  private static PositionMetrics withReference(
      SoftmaxKernel kernel, float[] z, float[] r, int target) {
    PositionMetrics out = new PositionMetrics();
    kernel.scoreWithReference(z, 0, r, 0, z.length, target, out);
    return out;
  }

  @Test
  void theTestJvmRunsTheVectorKernel() {
    assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
    assertThat(VectorSupport.REASON).isNull();
    assertThat(SoftmaxKernel.best()).isSameAs(SoftmaxKernel.vector());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void uniformOverFour(String name, SoftmaxKernel kernel) {
    PositionMetrics m = score(kernel, new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 2);
    assertThat(-m.nll).isCloseTo(-1.3862943611198906, within(1e-15));
    assertThat(m.entropy).isCloseTo(Math.log(4), within(1e-15));
    assertThat(Math.exp(m.nll)).isCloseTo(4.0, within(1e-14));
    assertThat(m.nll / Math.log(2)).isCloseTo(2.0, within(1e-15));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void logitsOneTwoThreeAndTheSameShiftedByAThousand(String name, SoftmaxKernel kernel) {
    double[] logP = {-2.40760596444438, -1.40760596444438, -0.40760596444438};
    for (float[] z : List.of(new float[] {1, 2, 3}, new float[] {1000, 1001, 1002})) {
      for (int y = 0; y < 3; y++) {
        PositionMetrics m = score(kernel, z, y);
        assertThat(-m.nll).isCloseTo(logP[y], within(1e-14));
        assertThat(m.entropy).isCloseTo(0.8323955818399389, within(1e-15));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void klAgainstUniformInBothDirections(String name, SoftmaxKernel kernel) {
    // P (reference) = softmax([1, 2, 3]); Q (model) = uniform(3).
    PositionMetrics m = withReference(kernel, new float[] {0, 0, 0}, new float[] {1, 2, 3}, 0);
    assertThat(m.klForward).isCloseTo(0.26621670682817067, within(1e-15));
    assertThat(m.klReverse).isCloseTo(0.3089936757762707, within(1e-15));
    assertThat(m.refEntropy).isCloseTo(0.8323955818399389, within(1e-15));
    assertThat(m.entropy).isCloseTo(Math.log(3), within(1e-15));
    // H(P, Q) = H(P) + KL(P||Q) = ln 3 for a uniform Q, whatever P is.
    assertThat(m.crossEntropyRef).isCloseTo(Math.log(3), within(1e-15));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void aMinusInfinityLogitIsAZeroProbabilityNotANaN(String name, SoftmaxKernel kernel) {
    PositionMetrics sure = score(kernel, new float[] {0, NEG_INF}, 0);
    assertThat(sure.entropy).isEqualTo(0.0);
    assertThat(sure.nll).isEqualTo(0.0);
    assertThat(score(kernel, new float[] {0, NEG_INF}, 1).nll).isEqualTo(Double.POSITIVE_INFINITY);
    // Many -inf logits around a few finite ones, across the vector body and the tail.
    float[] z = new float[11];
    java.util.Arrays.fill(z, NEG_INF);
    z[3] = 1;
    z[8] = 2;
    z[10] = 3;
    PositionMetrics m = score(kernel, z, 10);
    assertThat(m.entropy).isCloseTo(0.8323955818399389, within(1e-15));
    assertThat(-m.nll).isCloseTo(-0.40760596444438, within(1e-14));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void klIsInfiniteWhereTheSecondDistributionGivesZero(String name, SoftmaxKernel kernel) {
    float[] model = {0, NEG_INF, 0, 0, 0};
    float[] ref = {0, 0, 0, NEG_INF, NEG_INF};
    PositionMetrics m = withReference(kernel, model, ref, 0);
    assertThat(m.klForward).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(m.klReverse).isEqualTo(Double.POSITIVE_INFINITY);
    PositionMetrics one = withReference(kernel, new float[] {0, 0}, new float[] {0, NEG_INF}, 0);
    assertThat(one.klForward).isCloseTo(Math.log(2), within(1e-15));
    assertThat(one.klReverse).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(one.crossEntropyRef).isCloseTo(Math.log(2), within(1e-15));
  }

  /** Vocabulary sizes either side of the 8 partial sums, and positions in the body and the tail. */
  private static final int[] AROUND_THE_LANES = {2, 7, 8, 9, 15, 16, 17, 33};

  /**
   * Logits 0 everywhere but at {@code at}, where the model (or, {@code mirrored}, the reference)
   * has -inf and the other -1000: the other distribution's mass there, e^-1000 / V, is positive but
   * underflows in double.
   */
  private static float[][] zeroMassAgainstUnderflow(int vocab, int at, boolean mirrored) {
    float[] zeroMass = new float[vocab];
    float[] underflowed = new float[vocab];
    zeroMass[at] = NEG_INF;
    underflowed[at] = -1000;
    return mirrored ? new float[][] {underflowed, zeroMass} : new float[][] {zeroMass, underflowed};
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void minusInfinityAgainstAnUnderflowedProbabilityGivesInfiniteKlNotNaN(
      String name, SoftmaxKernel kernel) {
    // The example: model [0, -inf], reference [0, -1000]. P_ref has mass e^-1000 where Q
    // has none: KL(P||Q) = +inf, and H(P, Q) with it. KL(Q||P) = -ln p_0 = ln(1 + e^-1000), which
    // is 0 in double.
    PositionMetrics m = withReference(kernel, new float[] {0, NEG_INF}, new float[] {0, -1000}, 0);
    assertThat(m.klForward).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(m.crossEntropyRef).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(m.klReverse).isEqualTo(0.0);
    assertThat(m.entropy).isEqualTo(0.0);
    PositionMetrics mirror =
        withReference(kernel, new float[] {0, -1000}, new float[] {0, NEG_INF}, 0);
    assertThat(mirror.klReverse).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(mirror.klForward).isEqualTo(0.0);
    // H(P, Q) = -ln q_0 = ln(1 + e^-1000): 0 in double.
    assertThat(mirror.crossEntropyRef).isEqualTo(0.0);
    for (int vocab : AROUND_THE_LANES) {
      for (int at : new int[] {0, vocab / 2, vocab - 1}) {
        // Q uniform over V - 1 tokens, P uniform over V but for e^-1000 at `at`: KL(Q||P) =
        // ln((V - 1 + e^-1000) / (V - 1)), 0 in double; H(Q) = ln(V - 1).
        String where = "V=" + vocab + ", -inf at " + at;
        float[][] zr = zeroMassAgainstUnderflow(vocab, at, false);
        PositionMetrics w = withReference(kernel, zr[0], zr[1], (at + 1) % vocab);
        assertThat(w.klForward).as(where).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(w.crossEntropyRef).as(where).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(w.klReverse).as(where).isCloseTo(0.0, within(1e-15));
        assertThat(w.entropy).as(where).isCloseTo(Math.log(vocab - 1), within(1e-15));
        float[][] rz = zeroMassAgainstUnderflow(vocab, at, true);
        PositionMetrics v = withReference(kernel, rz[0], rz[1], (at + 1) % vocab);
        assertThat(v.klReverse).as(where).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(v.klForward).as(where).isCloseTo(0.0, within(1e-15));
        assertThat(v.crossEntropyRef).as(where).isCloseTo(Math.log(vocab - 1), within(1e-14));
      }
    }
  }

  @Test
  void vectorGivesTheScalarKernelsBitsWhereMinusInfinityMeetsUnderflow() {
    SoftmaxKernel scalar = SoftmaxKernel.scalar();
    SoftmaxKernel vector = SoftmaxKernel.vector();
    for (int vocab : AROUND_THE_LANES) {
      for (int at = 0; at < vocab; at++) {
        for (boolean mirrored : new boolean[] {false, true}) {
          float[][] pair = zeroMassAgainstUnderflow(vocab, at, mirrored);
          // And the model within the in-range shortcut (-5, not -1000) against a -inf reference.
          float[] inRange = new float[vocab];
          inRange[at] = -5;
          float[] dead = new float[vocab];
          dead[at] = NEG_INF;
          for (float[][] zr : List.of(pair, new float[][] {inRange, dead})) {
            PositionMetrics a = withReference(scalar, zr[0], zr[1], (at + 1) % vocab);
            PositionMetrics b = withReference(vector, zr[0], zr[1], (at + 1) % vocab);
            String where = "V=" + vocab + " at " + at + " " + zr[0][at] + " vs " + zr[1][at];
            assertSameBits(b.entropy, a.entropy, where);
            assertSameBits(b.klForward, a.klForward, where);
            assertSameBits(b.klReverse, a.klReverse, where);
            assertSameBits(b.crossEntropyRef, a.crossEntropyRef, where);
            assertThat(a.klForward).as(where).isNotNaN();
            assertThat(a.klReverse).as(where).isNotNaN();
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void uniformAtRealVocabularySizesGivesLnVAndPerplexityV(String name, SoftmaxKernel kernel) {
    for (int vocab : new int[] {32_000, 50_257, 262_144}) {
      float[] z = new float[vocab];
      java.util.Arrays.fill(z, -3.25f);
      PositionMetrics m = score(kernel, z, vocab - 1);
      assertThat(m.entropy).isCloseTo(Math.log(vocab), within(1e-12));
      assertThat(Math.exp(m.nll)).isCloseTo(vocab, within(vocab * 1e-12));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void identicalModelAndReferenceHaveZeroKl(String name, SoftmaxKernel kernel) {
    float[] z = randomLogits(new Random(3), 1_001, 4.0, 0.02);
    PositionMetrics m = withReference(kernel, z, z.clone(), 17);
    assertThat(m.klForward).isZero();
    assertThat(m.klReverse).isZero();
    assertThat(m.crossEntropyRef).isEqualTo(m.entropy);
    assertThat(m.refEntropy).isEqualTo(m.entropy);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void shiftingAllLogitsChangesNothingEvenAtMagnitudeTenThousand(
      String name, SoftmaxKernel kernel) {
    Random random = new Random(5);
    int vocab = 4_099;
    float[] z = new float[vocab];
    float[] r = new float[vocab];
    for (int i = 0; i < vocab; i++) {
      // Multiples of 1/8 stay exact when 1e4 is added to them in float.
      z[i] = (random.nextInt(161) - 80) / 8f;
      r[i] = (random.nextInt(161) - 80) / 8f;
    }
    PositionMetrics base = withReference(kernel, z, r, 7);
    for (float c : new float[] {64f, 10_000f, -10_000f}) {
      float[] zs = z.clone();
      float[] rs = r.clone();
      for (int i = 0; i < vocab; i++) {
        zs[i] += c;
        rs[i] += c * 0.5f;
      }
      PositionMetrics shifted = withReference(kernel, zs, rs, 7);
      assertThat(shifted.nll).isCloseTo(base.nll, within(1e-11));
      assertThat(shifted.entropy).isCloseTo(base.entropy, within(1e-12));
      assertThat(shifted.refEntropy).isCloseTo(base.refEntropy, within(1e-12));
      assertThat(shifted.klForward).isCloseTo(base.klForward, within(1e-10));
      assertThat(shifted.klReverse).isCloseTo(base.klReverse, within(1e-10));
      assertThat(shifted.logSumExp - base.logSumExp).isCloseTo(c, within(1e-9));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void aPositionWithoutADistributionGivesNaNEverywhere(String name, SoftmaxKernel kernel) {
    for (int at : new int[] {0, 5, 12}) {
      for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
        float[] z = randomLogits(new Random(at), 13, 2.0, 0);
        z[at] = bad;
        PositionMetrics m = withReference(kernel, z, randomLogits(new Random(9), 13, 2, 0), 1);
        assertThat(m.nll).as("%s at %d", bad, at).isNaN();
        assertThat(m.entropy).isNaN();
        assertThat(m.klForward).isNaN();
        assertThat(m.klReverse).isNaN();
        assertThat(m.refEntropy).isFinite();
      }
    }
    float[] dead = new float[9];
    java.util.Arrays.fill(dead, NEG_INF);
    assertThat(score(kernel, dead, 0).entropy).isNaN();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void matchesTheTextbookFormulasWithoutShifting(String name, SoftmaxKernel kernel) {
    Random random = new Random(11);
    for (int vocab : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 64, 257}) {
      float[] z = randomLogits(random, vocab, 3.0, 0.1);
      float[] r = randomLogits(random, vocab, 3.0, 0);
      z[vocab - 1] = 0.5f;
      double zSum = 0;
      double rSum = 0;
      for (int i = 0; i < vocab; i++) {
        zSum += Math.exp(z[i]);
        rSum += Math.exp(r[i]);
      }
      double entropy = 0;
      double refEntropy = 0;
      double forward = 0;
      double reverse = 0;
      for (int i = 0; i < vocab; i++) {
        double q = Math.exp(z[i]) / zSum;
        double p = Math.exp(r[i]) / rSum;
        if (q > 0) {
          entropy -= q * Math.log(q);
          reverse += q * (Math.log(q) - Math.log(p));
        }
        refEntropy -= p * Math.log(p);
        if (p > 0) {
          forward += p * (Math.log(p) - (q > 0 ? Math.log(q) : Double.NEGATIVE_INFINITY));
        }
      }
      PositionMetrics m = withReference(kernel, z, r, vocab - 1);
      assertThat(m.nll).as("V=%d", vocab).isCloseTo(-Math.log(Math.exp(0.5) / zSum), within(1e-13));
      assertThat(m.entropy).as("V=%d", vocab).isCloseTo(entropy, within(1e-13));
      assertThat(m.refEntropy).isCloseTo(refEntropy, within(1e-13));
      assertThat(m.klReverse).isCloseTo(Math.max(0, reverse), within(1e-13));
      if (Double.isInfinite(forward)) {
        assertThat(m.klForward).isEqualTo(Double.POSITIVE_INFINITY);
      } else {
        assertThat(m.klForward).isCloseTo(Math.max(0, forward), within(1e-13));
      }
    }
  }

  @Test
  void vectorGivesTheScalarKernelsBitsOnRandomLogitsOfManySizes() {
    Random random = new Random(13);
    SoftmaxKernel scalar = SoftmaxKernel.scalar();
    SoftmaxKernel vector = SoftmaxKernel.vector();
    for (int vocab : new int[] {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1_000, 32_000, 32_003, 151_936}) {
      for (double spread : new double[] {0.5, 6.0, 300.0}) {
        float[] z = randomLogits(random, vocab, spread, 0.01);
        float[] r = randomLogits(random, vocab, spread, 0.01);
        int target = random.nextInt(vocab);
        z[target] = 1.0f;
        // Both offsets nonzero: the kernels read a window of a larger array.
        float[] zs = new float[vocab + 9];
        float[] rs = new float[vocab + 5];
        System.arraycopy(z, 0, zs, 9, vocab);
        System.arraycopy(r, 0, rs, 5, vocab);
        PositionMetrics a = new PositionMetrics();
        PositionMetrics b = new PositionMetrics();
        scalar.scoreWithReference(zs, 9, rs, 5, vocab, target, a);
        vector.scoreWithReference(zs, 9, rs, 5, vocab, target, b);
        String where = "V=" + vocab + ", spread " + spread;
        assertSameBits(b.logSumExp, a.logSumExp, where);
        assertSameBits(b.nll, a.nll, where);
        assertSameBits(b.entropy, a.entropy, where);
        assertSameBits(b.refEntropy, a.refEntropy, where);
        assertSameBits(b.klForward, a.klForward, where);
        assertSameBits(b.klReverse, a.klReverse, where);
        assertSameBits(b.crossEntropyRef, a.crossEntropyRef, where);
      }
    }
  }

  @Test
  void vectorGivesTheScalarKernelsBitsEitherSideOfTheInRangeShortcut() {
    // Logits spread evenly below a maximum of 0 down to -spread: within IN_RANGE (680) the vector
    // kernel skips the -inf clamp and the underflow test; from 708.4 down, terms underflow to 0.
    SoftmaxKernel scalar = SoftmaxKernel.scalar();
    SoftmaxKernel vector = SoftmaxKernel.vector();
    for (int vocab : new int[] {9, 64, 1_003, 32_000}) {
      for (double spread : new double[] {1, 679.9, 680, 680.1, 708.3, 708.5, 720, 745.2, 800}) {
        float[] z = new float[vocab];
        float[] r = new float[vocab];
        for (int i = 0; i < vocab; i++) {
          z[i] = (float) (-spread * i / (vocab - 1));
          r[vocab - 1 - i] = z[i];
        }
        long range = ((SoftmaxDefinitions) vector).range(z, 0, vocab);
        assertThat(SoftmaxDefinitions.inRange(range))
            .as("spread %s", spread)
            .isEqualTo((double) z[vocab - 1] >= -680);
        PositionMetrics a = new PositionMetrics();
        PositionMetrics b = new PositionMetrics();
        scalar.scoreWithReference(z, 0, r, 0, vocab, vocab / 3, a);
        vector.scoreWithReference(z, 0, r, 0, vocab, vocab / 3, b);
        String where = "V=" + vocab + ", spread " + spread;
        assertSameBits(b.nll, a.nll, where);
        assertSameBits(b.entropy, a.entropy, where);
        assertSameBits(b.klForward, a.klForward, where);
        assertSameBits(b.klReverse, a.klReverse, where);
        assertThat(b.entropy).as(where).isFinite().isGreaterThan(0);
      }
    }
  }

  @Test
  void avx2GivesTheBitsOfTheWidestVectors() throws Exception {
    // On an AVX-512 machine the kernel keeps its 8 partial sums in one vector; with AVX2, in two
    // loops over 4 lanes. A JVM told to use AVX2 only must print the bits computed here.
    String expected = KernelBitsProbe.bits(SoftmaxKernel.scalar());
    assertThat(KernelBitsProbe.bits(SoftmaxKernel.vector())).isEqualTo(expected);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process probe =
        new ProcessBuilder(
                java,
                "-XX:+IgnoreUnrecognizedVMOptions",
                "-XX:UseAVX=2",
                "--add-modules",
                "jdk.incubator.vector",
                "-cp",
                System.getProperty("java.class.path"),
                KernelBitsProbe.class.getName())
            .redirectErrorStream(true)
            .start();
    String printed = new String(probe.getInputStream().readAllBytes(), UTF_8);
    assertThat(probe.waitFor()).as(printed).isZero();
    List<String> lines = printed.lines().filter(l -> !l.startsWith("WARNING")).toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).isIn("256 " + expected, "128 " + expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void rangesAndTargetsAreChecked(String name, SoftmaxKernel kernel) {
    PositionMetrics out = new PositionMetrics();
    float[] z = new float[8];
    assertThatThrownBy(() -> kernel.score(z, 4, 5, 0, out))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kernel.score(z, 0, 8, 8, out))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kernel.scoreWithReference(z, 0, new float[4], 0, 8, 0, out))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  private static void assertSameBits(double actual, double expected, String where) {
    assertThat(Double.doubleToLongBits(actual))
        .as("%s: %s against %s", where, actual, expected)
        .isEqualTo(Double.doubleToLongBits(expected));
  }

  /** Gaussian logits with the given spread, and -inf for a share of them. */
  private static float[] randomLogits(Random random, int vocab, double spread, double deadShare) {
    float[] z = new float[vocab];
    for (int i = 0; i < vocab; i++) {
      z[i] = random.nextDouble() < deadShare ? NEG_INF : (float) (random.nextGaussian() * spread);
    }
    return z;
  }
}
