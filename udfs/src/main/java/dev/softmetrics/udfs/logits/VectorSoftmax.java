package dev.softmetrics.udfs.logits;

import java.util.Objects;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link SoftmaxKernel}: logits are widened to double lanes (8 with AVX-512, 4 with
 * AVX2), exp is the JIT's vector exp (SVML on x86), and every sum is kept per lane and the lanes
 * added in order at the end, so results are deterministic for a given vector width. The tail of a
 * vocabulary that is not a multiple of the lane count is added by the scalar formulas.
 */
final class VectorSoftmax implements SoftmaxKernel {
  static final VectorSoftmax INSTANCE = new VectorSoftmax();

  private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
  private static final int LANES = DOUBLES.length();

  /** As many floats as {@link #DOUBLES} has lanes, to widen into it. */
  private static final VectorSpecies<Float> FLOATS =
      DOUBLES.vectorBitSize() >= 512 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;

  private static final VectorSpecies<Float> MAX_FLOATS = FloatVector.SPECIES_PREFERRED;

  private VectorSoftmax() {}

  static int preferredBits() {
    return DoubleVector.SPECIES_PREFERRED.vectorBitSize();
  }

  @Override
  public void score(float[] logits, int offset, int vocab, int target, PositionMetrics out) {
    Objects.checkFromIndexSize(offset, vocab, logits.length);
    Objects.checkIndex(target, vocab);
    out.clear();
    double m = max(logits, offset, vocab);
    if (!ScalarSoftmax.isShift(m)) {
      return;
    }
    expSums(logits, offset, vocab, m, out);
    double s = out.expSum;
    double w = out.expWeightedSum;
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
    DoubleVector shiftP = DoubleVector.broadcast(DOUBLES, mP);
    DoubleVector shiftQ = DoubleVector.broadcast(DOUBLES, mQ);
    DoubleVector vf = DoubleVector.zero(DOUBLES);
    DoubleVector vr = DoubleVector.zero(DOUBLES);
    int i = 0;
    int bound = vocab - vocab % LANES;
    for (; i < bound; i += LANES) {
      DoubleVector r = widen(reference, referenceOffset + i);
      DoubleVector z = widen(logits, offset + i);
      DoubleVector diff = r.sub(z);
      VectorMask<Double> noP = r.compare(VectorOperators.EQ, Double.NEGATIVE_INFINITY);
      VectorMask<Double> noQ = z.compare(VectorOperators.EQ, Double.NEGATIVE_INFINITY);
      DoubleVector p = r.sub(shiftP).sub(lnP).lanewise(VectorOperators.EXP);
      DoubleVector q = z.sub(shiftQ).sub(lnQ).lanewise(VectorOperators.EXP);
      vf = vf.add(p.mul(diff).blend(0.0, noP));
      vr = vr.add(q.mul(diff.neg()).blend(0.0, noQ));
    }
    double forward = sumLanes(vf);
    double reverse = sumLanes(vr);
    for (; i < vocab; i++) {
      double r = reference[referenceOffset + i];
      double z = logits[offset + i];
      if (r != Double.NEGATIVE_INFINITY) {
        forward += Math.exp((r - mP) - lnP) * (r - z);
      }
      if (z != Double.NEGATIVE_INFINITY) {
        reverse += Math.exp((z - mQ) - lnQ) * (z - r);
      }
    }
    ScalarSoftmax.finishKl(forward, reverse, mP, lnP, mQ, lnQ, refEntropy, out);
  }

  /**
   * S = sum_i exp(z_i - m) and W = sum_i exp(z_i - m) (z_i - m), into {@code out}. A method of its
   * own, small enough for the JIT to inline every Vector API call in it (a vector that crosses an
   * un-inlined call is boxed, and the loop runs many times slower).
   */
  private static void expSums(
      float[] logits, int offset, int vocab, double m, PositionMetrics out) {
    DoubleVector shift = DoubleVector.broadcast(DOUBLES, m);
    DoubleVector vs = DoubleVector.zero(DOUBLES);
    DoubleVector vw = DoubleVector.zero(DOUBLES);
    int i = 0;
    int bound = vocab - vocab % LANES;
    for (; i < bound; i += LANES) {
      FloatVector f = FloatVector.fromArray(FLOATS, logits, offset + i);
      DoubleVector d =
          ((DoubleVector) f.convertShape(VectorOperators.F2D, DOUBLES, 0))
              .sub(shift)
              .max(-Double.MAX_VALUE);
      DoubleVector e = d.lanewise(VectorOperators.EXP);
      vs = vs.add(e);
      vw = e.fma(d, vw);
    }
    double s = sumLanes(vs);
    double w = sumLanes(vw);
    for (; i < vocab; i++) {
      double d = Math.max(logits[offset + i] - m, -Double.MAX_VALUE);
      double e = Math.exp(d);
      s += e;
      w += e * d;
    }
    out.expSum = s;
    out.expWeightedSum = w;
  }

  /** The largest logit, NaN if any is NaN (the lane max follows Math.max). */
  private static double max(float[] logits, int offset, int vocab) {
    FloatVector vm = FloatVector.broadcast(MAX_FLOATS, Float.NEGATIVE_INFINITY);
    int step = MAX_FLOATS.length();
    int i = 0;
    int bound = vocab - vocab % step;
    for (; i < bound; i += step) {
      vm = vm.max(FloatVector.fromArray(MAX_FLOATS, logits, offset + i));
    }
    float m = vm.reduceLanes(VectorOperators.MAX);
    for (; i < vocab; i++) {
      m = Math.max(m, logits[offset + i]);
    }
    return m;
  }

  private static DoubleVector widen(float[] values, int at) {
    return (DoubleVector)
        FloatVector.fromArray(FLOATS, values, at).convertShape(VectorOperators.F2D, DOUBLES, 0);
  }

  /** The lanes' sum in lane order (a reduction's order is unspecified): deterministic. */
  private static double sumLanes(DoubleVector v) {
    double sum = v.lane(0);
    for (int lane = 1; lane < LANES; lane++) {
      sum += v.lane(lane);
    }
    return sum;
  }
}
