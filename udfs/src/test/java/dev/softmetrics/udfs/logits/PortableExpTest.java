package dev.softmetrics.udfs.logits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PortableExpTest {

  /** Distance in units in the last place between two positive normal doubles. */
  private static long ulps(double a, double b) {
    return Math.abs(Double.doubleToLongBits(a) - Double.doubleToLongBits(b));
  }

  @Test
  void isWithinTwoUlpsOfStrictMathOverTheDomain() {
    SplittableRandom random = new SplittableRandom(7);
    long worst = 0;
    for (int i = 0; i < 2_000_000; i++) {
      double x = random.nextDouble(-708.39, 709.0);
      double expected = StrictMath.exp(x);
      worst = Math.max(worst, ulps(PortableExp.exp(x), expected));
    }
    assertThat(worst).isLessThanOrEqualTo(2);
  }

  @Test
  void isWithinTwoUlpsNearZeroWhereLogitsCluster() {
    SplittableRandom random = new SplittableRandom(11);
    long worst = 0;
    for (int i = 0; i < 1_000_000; i++) {
      double x = -random.nextDouble() * 30;
      worst = Math.max(worst, ulps(PortableExp.exp(x), StrictMath.exp(x)));
    }
    assertThat(worst).isLessThanOrEqualTo(2);
  }

  @Test
  void exactValuesAndLimits() {
    assertThat(PortableExp.exp(0.0)).isEqualTo(1.0);
    assertThat(PortableExp.exp(-0.0)).isEqualTo(1.0);
    assertThat(PortableExp.exp(Math.log(2))).isEqualTo(2.0);
    assertThat(PortableExp.exp(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
    assertThat(PortableExp.exp(-Double.MAX_VALUE)).isEqualTo(0.0);
    assertThat(PortableExp.exp(Double.NaN)).isNaN();
    // Below ln(2^-1022) the result is 0; at it, about the smallest normal double.
    assertThat(PortableExp.exp(-708.4)).isEqualTo(0.0);
    assertThat(PortableExp.exp(-800)).isEqualTo(0.0);
    assertThat(PortableExp.exp(PortableExp.MIN_NORMAL_ARGUMENT) / Double.MIN_NORMAL)
        .isCloseTo(1.0, within(1e-12));
  }

  @Test
  void positiveExpIsExpAboveTheSmallestNormalAndTheSmallestPositiveDoubleBelow() {
    for (double x : new double[] {0.0, -1.5, -700.0, PortableExp.MIN_NORMAL_ARGUMENT}) {
      assertThat(PortableExp.positiveExp(x)).as("x = %s", x).isEqualTo(PortableExp.exp(x));
    }
    assertThat(PortableExp.positiveExp(-700.0)).isCloseTo(StrictMath.exp(-700.0), within(1e-318));
    for (double x : new double[] {-708.4, -1000.0, -Double.MAX_VALUE, Double.NEGATIVE_INFINITY}) {
      // e^-1000 is positive: a finite logit's mass is never 0, so times +inf it is +inf.
      assertThat(PortableExp.positiveExp(x)).as("x = %s", x).isEqualTo(Double.MIN_VALUE);
      assertThat(PortableExp.positiveExp(x) * Double.POSITIVE_INFINITY)
          .isEqualTo(Double.POSITIVE_INFINITY);
    }
  }

  @Test
  void everyPowerOfTwoTheScaleCanTakeComesOut() {
    // k ln 2 is rounded, so exp of it is 2^k within a relative 1e-15 or so, the scale itself exact.
    for (int k = -1021; k <= 1023; k++) {
      double expected = Math.scalb(1.0, k);
      assertThat(PortableExp.exp(k * Math.log(2)) / expected)
          .as("2^%d", k)
          .isCloseTo(1.0, within(1e-12));
    }
  }
}
