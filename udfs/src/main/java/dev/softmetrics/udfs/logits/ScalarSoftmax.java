package dev.softmetrics.udfs.logits;

import java.util.Objects;

/** The reference {@link SoftmaxKernel}: one element at a time, {@link Math#exp}, double sums. */
final class ScalarSoftmax implements SoftmaxKernel {
  static final ScalarSoftmax INSTANCE = new ScalarSoftmax();

  private ScalarSoftmax() {}

  @Override
  public void score(float[] logits, int offset, int vocab, int target, PositionMetrics out) {
    Objects.checkFromIndexSize(offset, vocab, logits.length);
    Objects.checkIndex(target, vocab);
    out.clear();
    double m = max(logits, offset, vocab);
    if (!isShift(m)) {
      return;
    }
    double s = 0;
    double w = 0;
    for (int i = 0; i < vocab; i++) {
      // exp(-inf) is 0 and 0 * -inf is NaN: a -inf logit is shifted to the most negative double,
      // whose exp is 0 and whose product with 0 is 0.
      double d = Math.max(logits[offset + i] - m, -Double.MAX_VALUE);
      double e = Math.exp(d);
      s += e;
      w += e * d;
    }
    double lnS = Math.log(s);
    out.shift = m;
    out.lnSum = lnS;
    out.logSumExp = m + lnS;
    // (m - z_y) is exact in double; m + lnS - z_y would lose the low bits of lnS to a large m.
    out.nll = (m - logits[offset + target]) + lnS;
    out.entropy = lnS - w / s;
  }

  @Override
  public void scoreWithReference(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int vocab,
      int target,
      PositionMetrics out) {
    Objects.checkFromIndexSize(referenceOffset, vocab, reference.length);
    score(reference, referenceOffset, vocab, 0, out);
    double mP = out.shift;
    double lnP = out.lnSum;
    double lseP = out.logSumExp;
    double refEntropy = out.entropy;
    score(logits, offset, vocab, target, out);
    double mQ = out.shift;
    double lnQ = out.lnSum;
    out.refLogSumExp = lseP;
    out.refEntropy = refEntropy;
    if (Double.isNaN(out.logSumExp) || Double.isNaN(lseP)) {
      return;
    }
    double forward = 0;
    double reverse = 0;
    for (int i = 0; i < vocab; i++) {
      double r = reference[referenceOffset + i];
      double z = logits[offset + i];
      if (r != Double.NEGATIVE_INFINITY) {
        forward += Math.exp((r - mP) - lnP) * (r - z);
      }
      if (z != Double.NEGATIVE_INFINITY) {
        reverse += Math.exp((z - mQ) - lnQ) * (z - r);
      }
    }
    finishKl(forward, reverse, mP, lnP, mQ, lnQ, refEntropy, out);
  }

  /**
   * KL(P||Q) = sum_i p_i (r_i - z_i) + LSE(z) - LSE(r), and the reverse; the difference of the LSEs
   * is taken as (mQ - mP) + (lnQ - lnP), exact where LSE(z) - LSE(r) is not.
   */
  static void finishKl(
      double forward,
      double reverse,
      double mP,
      double lnP,
      double mQ,
      double lnQ,
      double refEntropy,
      PositionMetrics out) {
    double lseDifference = (mQ - mP) + (lnQ - lnP);
    out.klForward = nonNegative(forward + lseDifference);
    out.klReverse = nonNegative(reverse - lseDifference);
    out.crossEntropyRef = refEntropy + out.klForward;
  }

  /** The largest logit: NaN if any is NaN. */
  static double max(float[] logits, int offset, int vocab) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      m = Math.max(m, logits[offset + i]);
    }
    return m;
  }

  /** Whether a maximum makes a distribution: finite (not NaN, +inf, or -inf for all -inf). */
  static boolean isShift(double max) {
    return max > Double.NEGATIVE_INFINITY && max < Double.POSITIVE_INFINITY;
  }

  /** KL is >= 0; rounding can leave -1e-17 where it is 0. NaN and +inf stay. */
  static double nonNegative(double kl) {
    return kl < 0 ? 0 : kl;
  }
}
