package dev.softmetrics.job.aggregate;

import dev.softmetrics.udfs.bootstrap.PercentileInterval;
import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import java.io.Serializable;

/**
 * The bootstrap intervals of one {@code corpus/} row: percentile intervals of {@code ppl_token} and
 * {@code bits_per_byte} over the replicates, the number of replicates behind them and their
 * confidence.
 */
public record CorpusInterval(
    double pplTokenLow,
    double pplTokenHigh,
    double bitsPerByteLow,
    double bitsPerByteHigh,
    int replicates,
    double confidence)
    implements Serializable {

  /** Fewer sequences than this cannot show any variation: such a group gets no interval. */
  public static final long MIN_SEQUENCES = 2;

  /**
   * The intervals of a group from its replicate sums, or null when the group has fewer than {@link
   * #MIN_SEQUENCES} sequences or no replicate defines the figures.
   */
  public static CorpusInterval of(ReplicateSums sums, double confidence) {
    if (sums.sequences() < MIN_SEQUENCES) {
      return null;
    }
    PercentileInterval ppl = PercentileInterval.of(sums.pplToken(), confidence);
    PercentileInterval bpb = PercentileInterval.of(sums.bitsPerByte(), confidence);
    if (ppl == null || bpb == null) {
      return null;
    }
    return new CorpusInterval(
        ppl.low(),
        ppl.high(),
        bpb.low(),
        bpb.high(),
        Math.min(ppl.replicates(), bpb.replicates()),
        confidence);
  }

  /**
   * The values of the {@code corpus/} columns {@code ppl_token_ci_low, ppl_token_ci_high,
   * bits_per_byte_ci_low, bits_per_byte_ci_high, bootstrap_replicates, ci_confidence}: all null
   * without an interval.
   */
  public static Object[] columns(CorpusInterval ci) {
    return ci == null
        ? new Object[6]
        : new Object[] {
          ci.pplTokenLow,
          ci.pplTokenHigh,
          ci.bitsPerByteLow,
          ci.bitsPerByteHigh,
          ci.replicates,
          ci.confidence
        };
  }
}
