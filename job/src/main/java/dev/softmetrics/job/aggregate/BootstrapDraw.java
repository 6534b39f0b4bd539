package dev.softmetrics.job.aggregate;

import dev.softmetrics.udfs.bootstrap.PoissonWeights;
import java.io.Serializable;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The bootstrap's seed and replicates, as the scoring tasks need them to weigh each sequence where
 * it is scored ({@link GroupSample}).
 */
public final class BootstrapDraw implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long seed;
  private final int replicates;
  private final long maxSequences;

  /**
   * @param seed the bootstrap seed
   * @param replicates replicates, 0 for none (the comparisons' point differences are still drawn)
   * @param maxSequences the sequences a pass's totals may hold, in a task or merged on the driver
   *     ({@code bootstrap.in-memory-sequences}); past it they keep only the replicate sums
   */
  public BootstrapDraw(long seed, int replicates, long maxSequences) {
    if (replicates < 0) {
      throw new IllegalArgumentException(
          String.format("Invalid replicates: %d (must be >= 0)", replicates));
    }
    if (maxSequences < 1) {
      throw new IllegalArgumentException(
          String.format("Invalid maxSequences: %d (must be >= 1)", maxSequences));
    }
    this.seed = seed;
    this.replicates = replicates;
    this.maxSequences = maxSequences;
  }

  long maxSequences() {
    return maxSequences;
  }

  int replicates() {
    return replicates;
  }

  /** The sequence's key under the seed. */
  long key(String domain, String sequenceId) {
    return PoissonWeights.sequenceKey(seed, domain, sequenceId);
  }

  /**
   * The same key from the labels' UTF-8 bytes: straight from the bytes when both are ASCII (the
   * common case, and no strings per row), else through their strings.
   */
  long key(UTF8String domain, UTF8String sequenceId) {
    byte[] d = domain.getBytes();
    byte[] s = sequenceId.getBytes();
    if (PoissonWeights.isAscii(d) && PoissonWeights.isAscii(s)) {
      return PoissonWeights.sequenceKeyOfAscii(seed, d, s);
    }
    return key(domain.toString(), sequenceId.toString());
  }
}
