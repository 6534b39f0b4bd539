package dev.softmetrics.udfs.logits;

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
final class VectorSoftmax extends SoftmaxDefinitions {
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
  double max(float[] logits, int offset, int vocab) {
    FloatVector vm = FloatVector.broadcast(MAX_FLOATS, Float.NEGATIVE_INFINITY);
    int step = MAX_FLOATS.length();
    int i = 0;
    int bound = vocab - vocab % step;
    for (; i < bound; i += step) {
      // The lane max follows Math.max: a NaN lane stays NaN.
      vm = vm.max(FloatVector.fromArray(MAX_FLOATS, logits, offset + i));
    }
    return maxFrom(logits, offset, i, vocab, vm.reduceLanes(VectorOperators.MAX));
  }

  /**
   * The exp sums. A method of its own, small enough for the JIT to inline every Vector API call in
   * it (a vector that crosses an un-inlined call is boxed, and the loop runs many times slower).
   */
  @Override
  void expSums(float[] logits, int offset, int vocab, double m, PositionMetrics out) {
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
    out.expSum = sumLanes(vs);
    out.expWeightedSum = sumLanes(vw);
    addExpSums(logits, offset, i, vocab, m, out);
  }

  @Override
  void klSums(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int vocab,
      PositionMetrics out) {
    double lnP = out.refLnSum;
    double lnQ = out.lnSum;
    DoubleVector shiftP = DoubleVector.broadcast(DOUBLES, out.refShift);
    DoubleVector shiftQ = DoubleVector.broadcast(DOUBLES, out.shift);
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
    out.klForward = sumLanes(vf);
    out.klReverse = sumLanes(vr);
    addKlSums(logits, offset, reference, referenceOffset, i, vocab, out);
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
