package dev.softmetrics.job.aggregate;

import dev.softmetrics.udfs.corpus.ExactSum;
import java.io.Serializable;

/**
 * The running sums of one (model, tokenizer, domain) group inside a task, merged across tasks on
 * the driver. NLL is an {@link ExactSum}, so the merged total is the same whatever the partitioning
 * and merge order.
 */
final class GroupSums implements Serializable {
  private static final long serialVersionUID = 1L;

  long sequences;
  long tokens;
  long bytes;
  long chars;
  long withChars;
  long words;
  long withWords;
  final ExactSum nll = new ExactSum();

  void add(long rowTokens, double rowNll, long rowBytes, long rowChars, long rowWords) {
    sequences++;
    tokens += rowTokens;
    nll.add(rowNll);
    bytes += rowBytes;
    if (rowChars >= 0) {
      chars += rowChars;
      withChars++;
    }
    if (rowWords >= 0) {
      words += rowWords;
      withWords++;
    }
  }

  void merge(GroupSums other) {
    sequences += other.sequences;
    tokens += other.tokens;
    bytes += other.bytes;
    chars += other.chars;
    withChars += other.withChars;
    words += other.words;
    withWords += other.withWords;
    nll.merge(other.nll);
  }

  GroupTotals totals(String model, String tokenizer, String domain) {
    return new GroupTotals(
        model,
        tokenizer,
        domain,
        sequences,
        tokens,
        bytes,
        withChars == sequences ? chars : null,
        withWords == sequences ? words : null,
        nll.copy());
  }
}
