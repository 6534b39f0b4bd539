package dev.softmetrics.udfs.logits;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link SoftmaxKernel}: the partial sums of {@link SoftmaxDefinitions} in double
 * vectors, and exp as {@link PortableExp}'s arithmetic lane by lane, so the results are the scalar
 * kernel's, bit for bit, on every machine (AVX2 or AVX-512).
 */
final class VectorSoftmax extends SoftmaxDefinitions {
  static final VectorSoftmax INSTANCE = new VectorSoftmax();

  /**
   * The {@link SoftmaxDefinitions#LANES} = 8 partial sums are one vector where the CPU has 512-bit
   * vectors, else two of 4, each filled by a loop of its own (lanes 0-3, then 4-7 of every block of
   * 8): element i goes into partial sum i mod 8 either way, so both give the same sums. A loop body
   * holds one exp: two outgrow the JIT's inlining budget, and its vectors are then boxed.
   */
  private static final VectorSpecies<Double> DOUBLES =
      DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 512
          ? DoubleVector.SPECIES_512
          : DoubleVector.SPECIES_256;

  private static final int WIDTH = DOUBLES.length();

  /** As many floats as {@link #DOUBLES} has lanes, to widen into it. */
  private static final VectorSpecies<Float> FLOATS =
      WIDTH == 8 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;

  private static final VectorSpecies<Float> MAX_FLOATS = FloatVector.SPECIES_PREFERRED;

  /** The ints of {@link #MAX_FLOATS}'s shape, and as many shorts: a bfloat16 decode's lanes. */
  private static final VectorSpecies<Integer> BITS =
      VectorSpecies.of(int.class, MAX_FLOATS.vectorShape());

  private static final VectorSpecies<Short> HALVES =
      VectorSpecies.of(short.class, VectorShape.forBitSize(MAX_FLOATS.vectorBitSize() / 2));

  private VectorSoftmax() {}

  static int preferredBits() {
    return DoubleVector.SPECIES_PREFERRED.vectorBitSize();
  }

  @Override
  long range(float[] logits, int offset, int vocab) {
    FloatVector vm = FloatVector.broadcast(MAX_FLOATS, Float.NEGATIVE_INFINITY);
    FloatVector vn = FloatVector.broadcast(MAX_FLOATS, Float.POSITIVE_INFINITY);
    int step = MAX_FLOATS.length();
    int i = 0;
    int bound = vocab - vocab % step;
    for (; i < bound; i += step) {
      // The lane max and min follow Math.max and Math.min: a NaN lane stays NaN. Neither depends
      // on order.
      FloatVector z = FloatVector.fromArray(MAX_FLOATS, logits, offset + i);
      vm = vm.max(z);
      vn = vn.min(z);
    }
    return rangeFrom(
        logits,
        offset,
        i,
        vocab,
        vm.reduceLanes(VectorOperators.MAX),
        vn.reduceLanes(VectorOperators.MIN));
  }

  @Override
  long decodeBfloat16(short[] halves, int vocab, float[] into) {
    FloatVector vm = FloatVector.broadcast(MAX_FLOATS, Float.NEGATIVE_INFINITY);
    FloatVector vn = FloatVector.broadcast(MAX_FLOATS, Float.POSITIVE_INFINITY);
    int step = MAX_FLOATS.length();
    int i = 0;
    int bound = vocab - vocab % step;
    for (; i < bound; i += step) {
      // Sign extension does not matter: the shift drops the high half.
      FloatVector z =
          ((IntVector)
                  ShortVector.fromArray(HALVES, halves, i)
                      .convertShape(VectorOperators.S2I, BITS, 0))
              .lanewise(VectorOperators.LSHL, 16)
              .reinterpretAsFloats();
      z.intoArray(into, i);
      vm = vm.max(z);
      vn = vn.min(z);
    }
    for (int t = i; t < vocab; t++) {
      into[t] = HalfFloats.bfloat16ToFloat(halves[t]);
    }
    return rangeFrom(
        into,
        0,
        i,
        vocab,
        vm.reduceLanes(VectorOperators.MAX),
        vn.reduceLanes(VectorOperators.MIN));
  }

  @Override
  void expSums(
      float[] logits, int offset, int vocab, double m, boolean inRange, PositionMetrics out) {
    int bound = laneBound(vocab);
    for (int lane = 0; lane < LANES; lane += WIDTH) {
      if (inRange) {
        expLanesInRange(logits, offset + lane, bound, m, out.lanesA, out.lanesB, lane);
      } else {
        expLanes(logits, offset + lane, bound, m, out.lanesA, out.lanesB, lane);
      }
    }
    out.expSum = sumInOrder(out.lanesA);
    out.expWeightedSum = sumInOrder(out.lanesB);
    addExpSums(logits, offset, bound, vocab, m, out);
  }

  /**
   * Partial sums {@code lane .. lane + WIDTH - 1} of exp(z - m) into {@code sums} and of exp(z - m)
   * (z - m) into {@code weighted}, over the blocks of 8 logits from {@code from}. A method of its
   * own, small enough for the JIT to inline every Vector API call in it.
   */
  private static void expLanes(
      float[] logits, int from, int bound, double m, double[] sums, double[] weighted, int lane) {
    DoubleVector s = DoubleVector.zero(DOUBLES);
    DoubleVector w = DoubleVector.zero(DOUBLES);
    for (int i = 0; i < bound; i += LANES) {
      // A -inf logit becomes the most negative double, whose exp is 0 and whose product with 0 is
      // 0.
      DoubleVector d = widen(logits, from + i).sub(m).max(-Double.MAX_VALUE);
      DoubleVector e = exp(d);
      s = s.add(e);
      w = e.fma(d, w);
    }
    s.intoArray(sums, lane);
    w.intoArray(weighted, lane);
  }

  /**
   * {@link #expLanes} for logits within {@link #IN_RANGE} of m: no -inf to clamp and no exp that
   * underflows, so the same sums without the clamp and the underflow test (about a quarter of the
   * loop's time in {@code SoftmaxBench}).
   */
  private static void expLanesInRange(
      float[] logits, int from, int bound, double m, double[] sums, double[] weighted, int lane) {
    DoubleVector s = DoubleVector.zero(DOUBLES);
    DoubleVector w = DoubleVector.zero(DOUBLES);
    for (int i = 0; i < bound; i += LANES) {
      DoubleVector d = widen(logits, from + i).sub(m);
      DoubleVector e = expInRange(d);
      s = s.add(e);
      w = e.fma(d, w);
    }
    s.intoArray(sums, lane);
    w.intoArray(weighted, lane);
  }

  @Override
  void klSums(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int vocab,
      PositionMetrics out) {
    int bound = laneBound(vocab);
    for (int lane = 0; lane < LANES; lane += WIDTH) {
      forwardLanes(
          reference,
          referenceOffset + lane,
          logits,
          offset + lane,
          bound,
          out.refShift,
          out.refLnSum,
          out.lanesA,
          lane);
      reverseLanes(
          reference,
          referenceOffset + lane,
          logits,
          offset + lane,
          bound,
          out.shift,
          out.lnSum,
          out.lanesB,
          lane);
    }
    out.klForward = sumInOrder(out.lanesA);
    out.klReverse = sumInOrder(out.lanesB);
    addKlSums(logits, offset, reference, referenceOffset, bound, vocab, out);
  }

  /**
   * Partial sums of p_i (r_i - z_i), p = positiveExp(r - mP - lnP), into {@code sums} from {@code
   * lane}.
   */
  private static void forwardLanes(
      float[] reference,
      int at,
      float[] logits,
      int from,
      int bound,
      double mP,
      double lnP,
      double[] sums,
      int lane) {
    DoubleVector f = DoubleVector.zero(DOUBLES);
    for (int i = 0; i < bound; i += LANES) {
      f = f.add(forwardTerms(widen(reference, at + i), widen(logits, from + i), mP, lnP));
    }
    f.intoArray(sums, lane);
  }

  /**
   * Partial sums of q_i (z_i - r_i), q = positiveExp(z - mQ - lnQ), into {@code sums} from {@code
   * lane}.
   */
  private static void reverseLanes(
      float[] reference,
      int at,
      float[] logits,
      int from,
      int bound,
      double mQ,
      double lnQ,
      double[] sums,
      int lane) {
    DoubleVector r = DoubleVector.zero(DOUBLES);
    for (int i = 0; i < bound; i += LANES) {
      r = r.add(reverseTerms(widen(reference, at + i), widen(logits, from + i), mQ, lnQ));
    }
    r.intoArray(sums, lane);
  }

  /** p_i (r_i - z_i) with p = positiveExp(r - mP - lnP), 0 where r_i = -inf (as klTerm). */
  private static DoubleVector forwardTerms(DoubleVector r, DoubleVector z, double mP, double lnP) {
    VectorMask<Double> none = r.compare(VectorOperators.EQ, Double.NEGATIVE_INFINITY);
    DoubleVector p = positiveExp(r.sub(mP).sub(lnP));
    return p.mul(r.sub(z)).blend(0.0, none);
  }

  /** q_i (z_i - r_i) with q = positiveExp(z - mQ - lnQ), 0 where z_i = -inf (as klTerm). */
  private static DoubleVector reverseTerms(DoubleVector r, DoubleVector z, double mQ, double lnQ) {
    VectorMask<Double> none = z.compare(VectorOperators.EQ, Double.NEGATIVE_INFINITY);
    DoubleVector q = positiveExp(z.sub(mQ).sub(lnQ));
    return q.mul(z.sub(r)).blend(0.0, none);
  }

  /**
   * {@link PortableExp#positiveExp} in every lane: {@link #exp} with the smallest positive double
   * where it underflows, so that a finite logit's term times +inf is +inf, at no extra operation.
   */
  private static DoubleVector positiveExp(DoubleVector x) {
    return expInRange(x)
        .blend(Double.MIN_VALUE, x.compare(VectorOperators.LT, PortableExp.MIN_NORMAL_ARGUMENT));
  }

  /** {@link PortableExp#exp} in every lane, with the same operations. */
  private static DoubleVector exp(DoubleVector x) {
    return expInRange(x).blend(0.0, x.compare(VectorOperators.LT, PortableExp.MIN_NORMAL_ARGUMENT));
  }

  /** {@link #exp} for x >= {@link PortableExp#MIN_NORMAL_ARGUMENT}, without its underflow test. */
  private static DoubleVector expInRange(DoubleVector x) {
    DoubleVector t = x.fma(PortableExp.LOG2E, PortableExp.SHIFT);
    DoubleVector k = t.sub(PortableExp.SHIFT);
    DoubleVector r = k.fma(broadcast(-PortableExp.LN2_HI), x);
    r = k.fma(broadcast(-PortableExp.LN2_LO), r);
    DoubleVector p = r.fma(PortableExp.C13, PortableExp.C12);
    p = p.fma(r, broadcast(PortableExp.C11));
    p = p.fma(r, broadcast(PortableExp.C10));
    p = p.fma(r, broadcast(PortableExp.C9));
    p = p.fma(r, broadcast(PortableExp.C8));
    p = p.fma(r, broadcast(PortableExp.C7));
    p = p.fma(r, broadcast(PortableExp.C6));
    p = p.fma(r, broadcast(PortableExp.C5));
    p = p.fma(r, broadcast(PortableExp.C4));
    p = p.fma(r, broadcast(PortableExp.C3));
    p = p.fma(r, broadcast(PortableExp.C2));
    p = p.fma(r, broadcast(1.0));
    p = p.fma(r, broadcast(1.0));
    DoubleVector scale =
        ((LongVector) t.viewAsIntegralLanes())
            .lanewise(VectorOperators.LSHL, 52)
            .add(PortableExp.BIAS_BITS)
            .viewAsFloatingLanes();
    return p.mul(scale);
  }

  private static DoubleVector broadcast(double value) {
    return DoubleVector.broadcast(DOUBLES, value);
  }

  private static DoubleVector widen(float[] values, int at) {
    return (DoubleVector)
        FloatVector.fromArray(FLOATS, values, at).convertShape(VectorOperators.F2D, DOUBLES, 0);
  }
}
