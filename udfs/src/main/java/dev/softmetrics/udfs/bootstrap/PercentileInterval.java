package dev.softmetrics.udfs.bootstrap;

import java.util.Arrays;

/**
 * The bootstrap percentile interval (Efron and Tibshirani 1993, ch. 13): at confidence {@code c},
 * the {@code (1 - c) / 2} and {@code (1 + c) / 2} quantiles of a statistic's replicate values.
 *
 * <p>Quantiles interpolate linearly between order statistics, Hyndman and Fan's definition 7 (the
 * default of numpy's {@code percentile}, R's {@code quantile} and DuckDB's {@code quantile_cont}),
 * so the interval can be recomputed from the replicate values with any of them.
 *
 * @param low the lower end
 * @param high the upper end
 * @param replicates the replicate values it was computed from (NaN ones are left out)
 */
public record PercentileInterval(double low, double high, int replicates) {

  /**
   * The percentile interval of replicate values. NaN values (replicates where the statistic is
   * undefined, such as a ratio whose resampled denominator is 0) are left out; infinities sort as
   * usual. O(R log R); {@code values} is not changed.
   *
   * @param values the statistic in each replicate
   * @param confidence the coverage, strictly between 0 and 1 (0.95 for a 95% interval)
   * @return the interval, or null when no value is a number
   */
  public static PercentileInterval of(double[] values, double confidence) {
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException(
          String.format("Invalid confidence: %s (must be > 0 and < 1)", confidence));
    }
    double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (sorted.length == 0) {
      return null;
    }
    double tail = (1 - confidence) / 2;
    return new PercentileInterval(
        quantile(sorted, tail), quantile(sorted, 1 - tail), sorted.length);
  }

  /**
   * The {@code p} quantile of sorted values, definition 7: with {@code h = (n - 1) p}, {@code
   * sorted[floor h] + (h - floor h) (sorted[floor h + 1] - sorted[floor h])}.
   *
   * @param sorted ascending values, at least one, no NaN
   * @param p the probability, 0 to 1
   * @return the quantile
   */
  public static double quantile(double[] sorted, double p) {
    if (sorted.length == 0 || !(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid quantile: p = %s of %d values (must be 0 <= p <= 1 of at least one)",
              p, sorted.length));
    }
    double h = (sorted.length - 1) * p;
    int below = (int) Math.floor(h);
    if (below >= sorted.length - 1) {
      return sorted[sorted.length - 1];
    }
    double fraction = h - below;
    return fraction == 0
        ? sorted[below]
        : sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
  }

  /**
   * The paired difference of two statistics in each replicate, {@code b[r] - a[r]}: with the same
   * weights on both sides, its percentile interval is the paired-bootstrap interval of the
   * difference.
   *
   * @param b the statistic of side b in each replicate
   * @param a the statistic of side a in each replicate
   * @return a new array of the differences (NaN where either side is NaN)
   */
  public static double[] difference(double[] b, double[] a) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot pair replicates: %d against %d (must be as many)", b.length, a.length));
    }
    double[] out = new double[a.length];
    for (int r = 0; r < out.length; r++) {
      out[r] = b[r] - a[r];
    }
    return out;
  }

  /** True when 0 lies outside the interval. */
  public boolean excludesZero() {
    return low > 0 || high < 0;
  }
}
