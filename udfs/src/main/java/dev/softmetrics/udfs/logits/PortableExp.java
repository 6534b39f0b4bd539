package dev.softmetrics.udfs.logits;

/**
 * exp(x) from additions, multiplications and fused multiply-adds only, so that the scalar and the
 * Vector API kernels compute it with the same operations and get the same bits on every machine,
 * JVM and JIT tier. ({@link Math#exp} and the Vector API's {@code EXP} may differ in the last bit
 * between the interpreter, the JIT's intrinsic and the CPU's vector library, which made a
 * sequence's entropy depend on whether its code had been compiled yet.)
 *
 * <p>Method (Cody and Waite): k = round(x / ln 2), r = x - k ln 2 in two steps with ln 2 split in a
 * high part that k multiplies exactly and a low part, exp(r) by its Taylor polynomial of degree 13
 * (|r| <= ln 2 / 2, so the truncation error is below 5e-18), times 2^k built in the exponent bits.
 * Error: within 2 ulp of the exact value (tested against {@link StrictMath#exp}).
 *
 * <p>Domain: x <= 709 (every caller passes x <= 0). Results below the smallest normal double, for x
 * below {@link #MIN_NORMAL_ARGUMENT} (about -708.4), are 0: such a term lies below the last bit of
 * any sum it enters next to the maximum's exp(0) = 1. exp(-inf) = 0 and exp(NaN) = NaN.
 */
final class PortableExp {
  private PortableExp() {}

  static final double LOG2E = 1.4426950408889634;

  /** 1.5 x 2^52: adding it rounds to an integer and leaves that integer in the low bits. */
  static final double SHIFT = 0x1.8p52;

  /**
   * ln 2 in two parts (fdlibm's): the high one has 32 trailing zero bits, so k * LN2_HI is exact.
   */
  static final double LN2_HI = 6.93147180369123816490e-01;

  static final double LN2_LO = 1.90821492927058770002e-10;

  /** ln of the smallest normal double, 2^-1022: below it the result is 0. */
  static final double MIN_NORMAL_ARGUMENT = -708.3964185322641;

  /** The exponent bias, in place: (k + 1023) << 52 is 2^k. */
  static final long BIAS_BITS = 1023L << 52;

  // 1/n! for n = 2..13; n! is exact in a double, so each is the correctly rounded reciprocal.
  static final double C2 = 1.0 / 2;
  static final double C3 = 1.0 / 6;
  static final double C4 = 1.0 / 24;
  static final double C5 = 1.0 / 120;
  static final double C6 = 1.0 / 720;
  static final double C7 = 1.0 / 5040;
  static final double C8 = 1.0 / 40320;
  static final double C9 = 1.0 / 362880;
  static final double C10 = 1.0 / 3628800;
  static final double C11 = 1.0 / 39916800;
  static final double C12 = 1.0 / 479001600;
  static final double C13 = 1.0 / 6227020800.0;

  /**
   * exp(x), but {@link Double#MIN_VALUE} where exp(x) underflows (x below {@link
   * #MIN_NORMAL_ARGUMENT}, -inf included): the probability of a token whose logit is finite,
   * however small, is not 0. A KL term times it is then +inf where the other distribution has no
   * mass (not 0 x inf = NaN), and otherwise a number below the last bit of any sum it enters.
   * Callers give a token whose own logit is -inf its 0 themselves.
   */
  static double positiveExp(double x) {
    return x < MIN_NORMAL_ARGUMENT ? Double.MIN_VALUE : exp(x);
  }

  /** exp(x), as described above. */
  static double exp(double x) {
    double t = Math.fma(x, LOG2E, SHIFT);
    double k = t - SHIFT;
    double r = Math.fma(k, -LN2_HI, x);
    r = Math.fma(k, -LN2_LO, r);
    double p = Math.fma(r, C13, C12);
    p = Math.fma(p, r, C11);
    p = Math.fma(p, r, C10);
    p = Math.fma(p, r, C9);
    p = Math.fma(p, r, C8);
    p = Math.fma(p, r, C7);
    p = Math.fma(p, r, C6);
    p = Math.fma(p, r, C5);
    p = Math.fma(p, r, C4);
    p = Math.fma(p, r, C3);
    p = Math.fma(p, r, C2);
    p = Math.fma(p, r, 1.0);
    p = Math.fma(p, r, 1.0);
    // The low 12 bits of t's bits hold k (two's complement): shifted into the exponent field.
    double scale = Double.longBitsToDouble((Double.doubleToRawLongBits(t) << 52) + BIAS_BITS);
    double e = p * scale;
    return x < MIN_NORMAL_ARGUMENT ? 0.0 : e;
  }
}
