package dev.softmetrics.job.aggregate;

import java.math.BigDecimal;

/**
 * The pooled sums of one (model, tokenizer, domain) group. {@code nllSum} is exact (a decimal sum
 * of the sequences' values), so totals do not depend on how Spark partitioned the data. {@code
 * chars} and {@code words} are null when some sequence of the group has no such count.
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
    BigDecimal nllSum) {

  /** The sum of two groups' totals (labels of this one). */
  GroupTotals plus(GroupTotals other) {
    return new GroupTotals(
        model,
        tokenizer,
        domain,
        sequences + other.sequences,
        tokens + other.tokens,
        bytes + other.bytes,
        chars == null || other.chars == null ? null : chars + other.chars,
        words == null || other.words == null ? null : words + other.words,
        nllSum.add(other.nllSum));
  }
}
