package dev.softmetrics.job.aggregate;

import dev.softmetrics.udfs.corpus.ExactSum;

/**
 * The pooled sums of one (model, tokenizer, domain) group. {@code nllSum} is exact, so totals do
 * not depend on how Spark partitioned the data. {@code chars} and {@code words} are null when some
 * sequence of the group has no such count.
 */
public record GroupTotals(
    String model,
    String tokenizer,
    String domain,
    long sequences,
    long tokens,
    long bytes,
    Long chars,
    Long words,
    ExactSum nllSum) {

  /** The sum of two groups' totals (labels of this one); neither is changed. */
  GroupTotals plus(GroupTotals other) {
    ExactSum nll = nllSum.copy();
    nll.merge(other.nllSum);
    return new GroupTotals(
        model,
        tokenizer,
        domain,
        sequences + other.sequences,
        tokens + other.tokens,
        bytes + other.bytes,
        chars == null || other.chars == null ? null : chars + other.chars,
        words == null || other.words == null ? null : words + other.words,
        nll);
  }
}
