package dev.softmetrics.job.aggregate;

import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.corpus.ExactSum;

/**
 * The pooled sums of one (model, tokenizer, domain) group. {@code nllSum} is exact, so totals do
 * not depend on how Spark partitioned the data. {@code chars} and {@code words} are null when some
 * sequence of the group has no such count; so is a soft column's sum ({@code soft}, indexed by
 * {@link SoftColumn}) when some sequence lacks it. {@code vocab} is the largest vocabulary size
 * seen, 0 when unknown. {@code positions} holds the sums per position bucket of the sequences that
 * have them. {@code extraLabels} holds the group's values of the extra labels ({@code
 * labels.extra}), which are part of its key; empty for none.
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
    ExactSum nllSum,
    ExactSum[] soft,
    long vocab,
    PositionTotals positions,
    java.util.List<String> extraLabels) {

  /** The mean per token of a soft column, or null. */
  public Double softMean(SoftColumn column) {
    ExactSum sum = soft[column.ordinal()];
    return sum == null || tokens <= 0 ? null : sum.doubleValue() / tokens;
  }

  /**
   * The mean per sequence of a soft column: the sum over the group's sequences of each one's sum
   * over its tokens, divided by the sequences; or null.
   */
  public Double softPerSequence(SoftColumn column) {
    ExactSum sum = soft[column.ordinal()];
    return sum == null || sequences <= 0 ? null : sum.doubleValue() / sequences;
  }

  /** The key of the group's roll-up over domains: model, tokenizer, then the extra labels. */
  java.util.List<String> rollUpKey() {
    java.util.List<String> key = new java.util.ArrayList<>(java.util.List.of(model, tokenizer));
    key.addAll(extraLabels);
    return key;
  }

  /** The sum of two groups' totals (labels of this one); neither is changed. */
  GroupTotals plus(GroupTotals other) {
    ExactSum nll = nllSum.copy();
    nll.merge(other.nllSum);
    PositionTotals bothPositions = positions.copy();
    bothPositions.merge(other.positions);
    return new GroupTotals(
        model,
        tokenizer,
        domain,
        sequences + other.sequences,
        tokens + other.tokens,
        bytes + other.bytes,
        chars == null || other.chars == null ? null : chars + other.chars,
        words == null || other.words == null ? null : words + other.words,
        nll,
        plus(soft, other.soft),
        Math.max(vocab, other.vocab),
        bothPositions,
        extraLabels);
  }

  private static ExactSum[] plus(ExactSum[] a, ExactSum[] b) {
    ExactSum[] out = new ExactSum[a.length];
    for (int c = 0; c < a.length; c++) {
      if (a[c] != null && b[c] != null) {
        out[c] = a[c].copy();
        out[c].merge(b[c]);
      }
    }
    return out;
  }
}
