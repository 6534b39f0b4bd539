package dev.softmetrics.job.analysis;

import dev.softmetrics.job.aggregate.CorpusInterval;
import dev.softmetrics.udfs.bootstrap.PercentileInterval;
import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import dev.softmetrics.udfs.corpus.CorpusMetrics;
import java.io.Serializable;

/**
 * One row of {@code comparisons/}: model b against model a over the sequences both scored in a
 * domain (or in all domains), differences as b minus a, with paired-bootstrap intervals. Bits per
 * byte compares any two tokenizers; mean NLL per token only two models of one tokenizer, so its
 * difference is null otherwise. {@code better} (and {@code betterTokenizer}) names the model with
 * the lower bits per byte when the interval of the difference excludes 0, and is null otherwise.
 */
public record Comparison(
    String modelA,
    String tokenizerA,
    String modelB,
    String tokenizerB,
    String domain,
    long sequences,
    double bitsPerByteA,
    double bitsPerByteB,
    double bitsPerByteDiff,
    Double bitsPerByteDiffLow,
    Double bitsPerByteDiffHigh,
    double meanNllA,
    double meanNllB,
    Double meanNllDiff,
    Double meanNllDiffLow,
    Double meanNllDiffHigh,
    String better,
    String betterTokenizer,
    Integer replicates,
    Double confidence,
    java.util.List<String> extraLabels)
    implements Serializable {

  /** The comparison of a pair from its sums over the paired sequences. */
  static Comparison of(PairKey pair, PairSums sums, double confidence) {
    ReplicateSums a = sums.a();
    ReplicateSums b = sums.b();
    double bpbA = CorpusMetrics.bitsPerByte(a.sampleNll(), a.sampleBytes());
    double bpbB = CorpusMetrics.bitsPerByte(b.sampleNll(), b.sampleBytes());
    double nllA = CorpusMetrics.meanNll(a.sampleNll(), a.sampleTokens());
    double nllB = CorpusMetrics.meanNll(b.sampleNll(), b.sampleTokens());
    boolean sameTokenizer = pair.tokenizerA().equals(pair.tokenizerB());
    boolean resampled = a.replicates() > 0 && sums.sequences() >= CorpusInterval.MIN_SEQUENCES;
    PercentileInterval bpb =
        resampled
            ? PercentileInterval.of(
                PercentileInterval.difference(b.bitsPerByte(), a.bitsPerByte()), confidence)
            : null;
    PercentileInterval nll =
        resampled && sameTokenizer
            ? PercentileInterval.of(
                PercentileInterval.difference(b.meanNll(), a.meanNll()), confidence)
            : null;
    boolean decided = bpb != null && bpb.excludesZero();
    boolean bIsBetter = decided && bpb.high() < 0;
    return new Comparison(
        pair.modelA(),
        pair.tokenizerA(),
        pair.modelB(),
        pair.tokenizerB(),
        pair.domain(),
        sums.sequences(),
        bpbA,
        bpbB,
        bpbB - bpbA,
        bpb == null ? null : bpb.low(),
        bpb == null ? null : bpb.high(),
        nllA,
        nllB,
        sameTokenizer ? nllB - nllA : null,
        nll == null ? null : nll.low(),
        nll == null ? null : nll.high(),
        decided ? (bIsBetter ? pair.modelB() : pair.modelA()) : null,
        decided ? (bIsBetter ? pair.tokenizerB() : pair.tokenizerA()) : null,
        bpb == null ? null : bpb.replicates(),
        bpb == null ? null : confidence,
        pair.extraLabels());
  }
}
