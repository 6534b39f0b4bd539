package dev.softmetrics.udfs.logits;

import java.util.Arrays;

/**
 * The reference {@link SoftmaxKernel}: one element at a time, in double, with the partial sums and
 * the order of additions of {@link SoftmaxDefinitions}, so that it gives the vector kernel's bits.
 * It runs wherever the Vector API does not.
 */
final class ScalarSoftmax extends SoftmaxDefinitions {
  static final ScalarSoftmax INSTANCE = new ScalarSoftmax();

  private ScalarSoftmax() {}

  @Override
  long range(float[] logits, int offset, int vocab) {
    return rangeFrom(logits, offset, 0, vocab, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
  }

  @Override
  long decodeBfloat16(short[] halves, int vocab, float[] into) {
    for (int i = 0; i < vocab; i++) {
      into[i] = HalfFloats.bfloat16ToFloat(halves[i]);
    }
    return range(into, 0, vocab);
  }

  @Override
  void expSums(
      float[] logits, int offset, int vocab, double m, boolean inRange, PositionMetrics out) {
    // inRange changes no value here: the clamp and exp's underflow test then leave every term as
    // is.
    double[] s = out.lanesA;
    double[] w = out.lanesB;
    Arrays.fill(s, 0.0);
    Arrays.fill(w, 0.0);
    int bound = laneBound(vocab);
    for (int i = 0; i < bound; i++) {
      // As in addExpSums: a -inf logit becomes the most negative double, whose exp is 0.
      double d = Math.max(logits[offset + i] - m, -Double.MAX_VALUE);
      double e = PortableExp.exp(d);
      int lane = i % LANES;
      s[lane] += e;
      w[lane] = Math.fma(e, d, w[lane]);
    }
    out.expSum = sumInOrder(s);
    out.expWeightedSum = sumInOrder(w);
    addExpSums(logits, offset, bound, vocab, m, out);
  }

  @Override
  void klSums(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int vocab,
      PositionMetrics out) {
    double mP = out.refShift;
    double lnP = out.refLnSum;
    double mQ = out.shift;
    double lnQ = out.lnSum;
    double[] forward = out.lanesA;
    double[] reverse = out.lanesB;
    Arrays.fill(forward, 0.0);
    Arrays.fill(reverse, 0.0);
    int bound = laneBound(vocab);
    for (int i = 0; i < bound; i++) {
      double r = reference[referenceOffset + i];
      double z = logits[offset + i];
      double p = PortableExp.positiveExp((r - mP) - lnP);
      double q = PortableExp.positiveExp((z - mQ) - lnQ);
      int lane = i % LANES;
      forward[lane] += klTerm(p, r, z);
      reverse[lane] += klTerm(q, z, r);
    }
    out.klForward = sumInOrder(forward);
    out.klReverse = sumInOrder(reverse);
    addKlSums(logits, offset, reference, referenceOffset, bound, vocab, out);
  }
}
