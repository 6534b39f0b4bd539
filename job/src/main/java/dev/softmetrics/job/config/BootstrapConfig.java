package dev.softmetrics.job.config;

import java.io.Serializable;

/**
 * The bootstrap behind the confidence intervals of {@code corpus/} and {@code comparisons/}
 * (docs/ANALYSIS.md): the {@code bootstrap} block of the configuration.
 *
 * @param replicates bootstrap replicates; 0 turns the intervals off (their columns are null)
 * @param seed the seed the replicates' weights derive from: the same seed gives the same intervals
 * @param confidence the intervals' coverage, strictly between 0 and 1
 * @param inMemorySequences sequences the driver may hold for the analysis ({@code
 *     bootstrap.in-memory-sequences}), or {@link #AUTO} for an eighth of its heap
 */
public record BootstrapConfig(int replicates, long seed, double confidence, long inMemorySequences)
    implements Serializable {

  /** {@code bootstrap.in-memory-sequences = auto}. */
  public static final long AUTO = -1;

  /** Bytes the driver holds per gathered sequence: key, NLL, tokens, bytes. */
  public static final long BYTES_PER_SEQUENCE = 32;

  /** More replicates than this would hold gigabytes per group and task (32 bytes each). */
  public static final int MAX_REPLICATES = 1_000_000;

  public BootstrapConfig {
    if (replicates < 0 || replicates > MAX_REPLICATES) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid bootstrap.replicates: %d (must be 0 to %d; 0 turns the intervals off)",
              replicates, MAX_REPLICATES));
    }
    if (inMemorySequences < AUTO) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid bootstrap.in-memory-sequences: %d (must be auto or a whole number >= 0)",
              inMemorySequences));
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid bootstrap.confidence: %s (must be > 0 and < 1, e.g. 0.95)", confidence));
    }
  }

  /** The bootstrap with {@code bootstrap.in-memory-sequences = auto}. */
  public BootstrapConfig(int replicates, long seed, double confidence) {
    this(replicates, seed, confidence, AUTO);
  }

  /**
   * Parses {@code bootstrap.in-memory-sequences}: {@code auto} (any case) or a whole number from 0.
   */
  public static long parseInMemorySequences(String value) {
    String v = value.trim();
    if (v.equalsIgnoreCase("auto")) {
      return AUTO;
    }
    try {
      long n = Long.parseLong(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Refused below.
    }
    throw new IllegalArgumentException(
        String.format(
            "Invalid bootstrap.in-memory-sequences: %s (must be auto or a whole number >= 0)", v));
  }

  /**
   * The sequences the driver may hold: the setting, or under {@code auto} an eighth of {@code
   * maxHeapBytes} at {@link #BYTES_PER_SEQUENCE} each.
   */
  public long inMemoryLimit(long maxHeapBytes) {
    return inMemorySequences == AUTO ? maxHeapBytes / 8 / BYTES_PER_SEQUENCE : inMemorySequences;
  }

  /** True when intervals are computed. */
  public boolean enabled() {
    return replicates > 0;
  }
}
