package dev.softmetrics.job.config;

import java.io.Serializable;

/**
 * The bootstrap behind the confidence intervals of {@code corpus/} and {@code comparisons/}
 * (docs/ANALYSIS.md): the {@code bootstrap} block of the configuration.
 *
 * @param replicates bootstrap replicates; 0 turns the intervals off (their columns are null)
 * @param seed the seed the replicates' weights derive from: the same seed gives the same intervals
 * @param confidence the intervals' coverage, strictly between 0 and 1
 */
public record BootstrapConfig(int replicates, long seed, double confidence)
    implements Serializable {

  /** More replicates than this would hold gigabytes per group and task (32 bytes each). */
  public static final int MAX_REPLICATES = 1_000_000;

  public BootstrapConfig {
    if (replicates < 0 || replicates > MAX_REPLICATES) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid bootstrap.replicates: %d (must be 0 to %d; 0 turns the intervals off)",
              replicates, MAX_REPLICATES));
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid bootstrap.confidence: %s (must be > 0 and < 1, e.g. 0.95)", confidence));
    }
  }

  /** True when intervals are computed. */
  public boolean enabled() {
    return replicates > 0;
  }
}
