package dev.softmetrics.udfs.logits;

import java.util.Objects;

/**
 * The definitions of {@link SoftmaxKernel}, shared by its implementations, which supply the three
 * passes over a position's logits: the maximum, the exp sums, the KL sums.
 *
 * <p>Both implementations add in one order, so that they agree to the last bit: the first {@code
 * vocab - vocab % LANES} elements go round-robin into {@link #LANES} partial sums (element i into
 * sum i mod LANES), which are then added in lane order, and the remaining tail is added one element
 * at a time by the scalar passes here. exp is {@link PortableExp} in both.
 */
abstract sealed class SoftmaxDefinitions implements SoftmaxKernel
    permits ScalarSoftmax, VectorSoftmax {

  /** The number of partial sums of every pass: 8 doubles, one AVX-512 vector or two AVX2 ones. */
  static final int LANES = 8;

  /**
   * A position whose logits all lie within this of their maximum has no -inf logit and no term
   * whose exp underflows (z - m >= -680 > {@link PortableExp#MIN_NORMAL_ARGUMENT}, with room for
   * the KL passes' ln of the sum), so its exp pass needs neither the clamp nor the underflow test:
   * the vector kernel skips both there, with the same results.
   */
  static final double IN_RANGE = 680;

  /**
   * The largest and the smallest logit, packed by {@link #range(float, float)}; the largest is NaN
   * if any is NaN.
   */
  abstract long range(float[] logits, int offset, int vocab);

  /**
   * Decodes {@code vocab} bfloat16 bit patterns from {@code halves} into {@code into}, each exactly
   * the float whose high 16 bits it is, and returns their {@link #range} (the decode and that pass
   * in one loop), for {@link #scoreFromRange}.
   */
  abstract long decodeBfloat16(short[] halves, int vocab, float[] into);

  /** {@code max} and {@code min} in one long, without allocation. */
  static long range(float max, float min) {
    return ((long) Float.floatToRawIntBits(max) << 32)
        | (Float.floatToRawIntBits(min) & 0xFFFFFFFFL);
  }

  static float maxOf(long range) {
    return Float.intBitsToFloat((int) (range >>> 32));
  }

  static float minOf(long range) {
    return Float.intBitsToFloat((int) range);
  }

  /** True when every logit lies within {@link #IN_RANGE} of a finite maximum. */
  static boolean inRange(long range) {
    return (double) maxOf(range) - minOf(range) <= IN_RANGE;
  }

  /**
   * Sets {@code out.expSum} = sum_i exp(z_i - m) and {@code out.expWeightedSum} = the same times
   * (z_i - m); {@code inRange} as {@link #inRange} says of the logits.
   */
  abstract void expSums(
      float[] logits, int offset, int vocab, double m, boolean inRange, PositionMetrics out);

  /**
   * Sets {@code out.klForward} = sum_i p_i (r_i - z_i) and {@code out.klReverse} = sum_i q_i (z_i -
   * r_i), with p = exp(r - refShift - refLnSum) and q = exp(z - shift - lnSum) from {@code out};
   * each term as {@link #klTerm} says.
   */
  abstract void klSums(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int vocab,
      PositionMetrics out);

  @Override
  public final void score(float[] logits, int offset, int vocab, int target, PositionMetrics out) {
    Objects.checkFromIndexSize(offset, vocab, logits.length);
    Objects.checkIndex(target, vocab);
    scoreFromRange(logits, offset, vocab, target, range(logits, offset, vocab), out);
  }

  /**
   * {@link #score} with {@code range} = {@link #range} of the same logits, which the caller has
   * (from {@link #decodeBfloat16}); the same results, to the bit.
   */
  final void scoreFromRange(
      float[] logits, int offset, int vocab, int target, long range, PositionMetrics out) {
    Objects.checkFromIndexSize(offset, vocab, logits.length);
    Objects.checkIndex(target, vocab);
    out.clear();
    double m = maxOf(range);
    if (!(m > Double.NEGATIVE_INFINITY && m < Double.POSITIVE_INFINITY)) {
      // NaN or +inf somewhere, or every logit -inf: no distribution.
      return;
    }
    expSums(logits, offset, vocab, m, inRange(range), out);
    double s = out.expSum;
    // StrictMath: the same bits on every JVM and CPU, for one call per position.
    double lnS = StrictMath.log(s);
    out.shift = m;
    out.lnSum = lnS;
    out.logSumExp = m + lnS;
    // (m - z_y) is exact in double; m + lnS - z_y would lose the low bits of lnS to a large m.
    out.nll = (m - logits[offset + target]) + lnS;
    out.entropy = lnS - out.expWeightedSum / s;
  }

  @Override
  public final void scoreWithReference(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int vocab,
      int target,
      PositionMetrics out) {
    Objects.checkFromIndexSize(offset, vocab, logits.length);
    Objects.checkFromIndexSize(referenceOffset, vocab, reference.length);
    scoreWithReferenceFromRange(
        logits,
        offset,
        reference,
        referenceOffset,
        vocab,
        target,
        range(logits, offset, vocab),
        range(reference, referenceOffset, vocab),
        out);
  }

  /**
   * {@link #scoreWithReference} with {@code rangeLogit} and {@code rangeReference} = {@link #range}
   * of the logits and of the reference, which the caller has; the same results, to the bit.
   */
  final void scoreWithReferenceFromRange(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int vocab,
      int target,
      long rangeLogit,
      long rangeReference,
      PositionMetrics out) {
    Objects.checkFromIndexSize(referenceOffset, vocab, reference.length);
    scoreFromRange(reference, referenceOffset, vocab, 0, rangeReference, out);
    double mP = out.shift;
    double lnP = out.lnSum;
    double lseP = out.logSumExp;
    double refEntropy = out.entropy;
    scoreFromRange(logits, offset, vocab, target, rangeLogit, out);
    double mQ = out.shift;
    double lnQ = out.lnSum;
    out.refShift = mP;
    out.refLnSum = lnP;
    out.refLogSumExp = lseP;
    out.refEntropy = refEntropy;
    if (Double.isNaN(out.logSumExp) || Double.isNaN(lseP)) {
      return;
    }
    klSums(logits, offset, reference, referenceOffset, vocab, out);
    // KL(P||Q) = sum_i p_i (r_i - z_i) + LSE(z) - LSE(r), and the reverse; the difference of the
    // LSEs is taken as (mQ - mP) + (lnQ - lnP), exact where LSE(z) - LSE(r) is not.
    double lseDifference = (mQ - mP) + (lnQ - lnP);
    out.klForward = nonNegative(out.klForward + lseDifference);
    out.klReverse = nonNegative(out.klReverse - lseDifference);
    out.crossEntropyRef = refEntropy + out.klForward;
  }

  /** KL is >= 0; rounding can leave -1e-17 where it is 0. NaN and +inf stay. */
  private static double nonNegative(double kl) {
    return kl < 0 ? 0 : kl;
  }

  /**
   * The {@link #range} of {@code max}, {@code min} and the logits from {@code from} to {@code
   * vocab}.
   */
  static long rangeFrom(float[] logits, int offset, int from, int vocab, float max, float min) {
    for (int i = from; i < vocab; i++) {
      max = Math.max(max, logits[offset + i]);
      min = Math.min(min, logits[offset + i]);
    }
    return range(max, min);
  }

  /** The partial sums added in lane order. */
  static double sumInOrder(double[] lanes) {
    double sum = lanes[0];
    for (int lane = 1; lane < lanes.length; lane++) {
      sum += lanes[lane];
    }
    return sum;
  }

  /** The end of the range that the {@link #LANES} partial sums cover. */
  static int laneBound(int vocab) {
    return vocab - vocab % LANES;
  }

  /** Adds the exp sums of the logits from {@code from} to {@code vocab} to {@code out}. */
  static void addExpSums(
      float[] logits, int offset, int from, int vocab, double m, PositionMetrics out) {
    double s = 0;
    double w = 0;
    for (int i = from; i < vocab; i++) {
      // exp(-inf) is 0 and 0 * -inf is NaN: a -inf logit is shifted to the most negative double,
      // whose exp is 0 and whose product with 0 is 0.
      double d = Math.max(logits[offset + i] - m, -Double.MAX_VALUE);
      double e = PortableExp.exp(d);
      s += e;
      w = Math.fma(e, d, w);
    }
    out.expSum += s;
    out.expWeightedSum += w;
  }

  /** Adds the KL sums of the positions from {@code from} to {@code vocab} to {@code out}. */
  static void addKlSums(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int from,
      int vocab,
      PositionMetrics out) {
    double mP = out.refShift;
    double lnP = out.refLnSum;
    double mQ = out.shift;
    double lnQ = out.lnSum;
    double forward = 0;
    double reverse = 0;
    for (int i = from; i < vocab; i++) {
      double r = reference[referenceOffset + i];
      double z = logits[offset + i];
      forward += klTerm(PortableExp.positiveExp((r - mP) - lnP), r, z);
      reverse += klTerm(PortableExp.positiveExp((z - mQ) - lnQ), z, r);
    }
    out.klForward += forward;
    out.klReverse += reverse;
  }

  /**
   * One token's term a (za - zb) of sum_i a_i (za_i - zb_i), the part of KL(A||B) that the
   * log-sum-exps do not give, with a = {@link PortableExp#positiveExp}(za - LSE(za)). Support is
   * decided from the logits: 0 where za = -inf (A has no mass there, whatever B has); else a > 0,
   * even where exp underflows, so that the term is +inf where zb = -inf (A has mass there, however
   * small, and B none; 0 x inf would be NaN), and otherwise a finite term below any sum's last bit
   * where a underflowed. The vector kernel computes the same, lane by lane.
   */
  static double klTerm(double a, double za, double zb) {
    return za == Double.NEGATIVE_INFINITY ? 0.0 : a * (za - zb);
  }
}
