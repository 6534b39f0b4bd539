package dev.softmetrics.job.aggregate;

import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.corpus.ExactSum;
import java.io.Serializable;
import java.util.List;

/**
 * The running sums of one (model, tokenizer, domain) group inside a task, merged across tasks on
 * the driver. NLL is an {@link ExactSum}, so the merged total is the same whatever the partitioning
 * and merge order.
 */
final class RunningGroupTotals implements Serializable {
  private static final long serialVersionUID = 1L;

  long sequences;
  long tokens;
  long bytes;
  long chars;
  long withChars;
  long words;
  long withWords;
  final ExactSum nll = new ExactSum();

  /** The largest vocabulary size a sequence of the group gave, or 0. */
  long vocab;

  /**
   * Per soft column: the sum over the sequences that have it, null until one does. A sequence adds
   * its mean per token (as {@code sequences/} stores it) times its tokens, exactly, so that totals
   * computed in the scoring pass and totals recomputed from the stored rows are the same to the
   * bit.
   */
  final ExactSum[] soft = new ExactSum[SoftColumn.COUNT];

  /** Per soft column: how many sequences have it. */
  final long[] withSoft = new long[SoftColumn.COUNT];

  /** The sums per position bucket of the sequences that have them. */
  final PositionTotals positions = new PositionTotals();

  /** The bootstrap's view of the group's sequences, when the pass gathers it; else null. */
  GroupSample sample;

  /** {@link #sample}, created empty on first use. */
  GroupSample sample(int replicates) {
    if (sample == null) {
      sample = new GroupSample(replicates);
    }
    return sample;
  }

  /**
   * Adds a sequence. {@code rowSoft} holds the sequence's sums per {@link SoftColumn}, NaN where it
   * has none, or is null when it has none at all; {@code rowVocab} is 0 when unknown.
   */
  void add(
      long rowTokens,
      double rowNll,
      long rowBytes,
      long rowChars,
      long rowWords,
      double[] rowSoft,
      long rowVocab) {
    add(rowTokens, rowNll, rowBytes, rowChars, rowWords, rowSoft, true, rowVocab);
  }

  /** Adds a sequence whose soft columns are given as means per token ({@code sequences/}'s). */
  void addMeans(
      long rowTokens,
      double rowNll,
      long rowBytes,
      long rowChars,
      long rowWords,
      double[] rowMeans,
      long rowVocab) {
    add(rowTokens, rowNll, rowBytes, rowChars, rowWords, rowMeans, false, rowVocab);
  }

  private void add(
      long rowTokens,
      double rowNll,
      long rowBytes,
      long rowChars,
      long rowWords,
      double[] rowSoft,
      boolean sums,
      long rowVocab) {
    if (rowSoft != null) {
      for (int c = 0; c < rowSoft.length; c++) {
        if (!Double.isNaN(rowSoft[c])) {
          if (soft[c] == null) {
            soft[c] = new ExactSum();
          }
          double mean = sums ? SoftColumn.meanPerToken(rowSoft[c], rowTokens) : rowSoft[c];
          soft[c].addTimes(mean, rowTokens);
          withSoft[c]++;
        }
      }
    }
    vocab = Math.max(vocab, rowVocab);
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

  void merge(RunningGroupTotals other) {
    sequences += other.sequences;
    tokens += other.tokens;
    bytes += other.bytes;
    chars += other.chars;
    withChars += other.withChars;
    words += other.words;
    withWords += other.withWords;
    nll.merge(other.nll);
    positions.merge(other.positions);
    vocab = Math.max(vocab, other.vocab);
    if (other.sample != null) {
      sample(other.sample.replicates().replicates()).merge(other.sample);
    }
    for (int c = 0; c < soft.length; c++) {
      if (other.soft[c] != null) {
        if (soft[c] == null) {
          soft[c] = new ExactSum();
        }
        soft[c].merge(other.soft[c]);
        withSoft[c] += other.withSoft[c];
      }
    }
  }

  GroupTotals totals(String model, String tokenizer, String domain, List<String> extraLabels) {
    return new GroupTotals(
        model,
        tokenizer,
        domain,
        sequences,
        tokens,
        bytes,
        withChars == sequences ? chars : null,
        withWords == sequences ? words : null,
        nll.copy(),
        softTotals(),
        vocab,
        positions.copy(),
        List.copyOf(extraLabels));
  }

  /** Per soft column, the exact sum when every sequence of the group has it, else null. */
  private ExactSum[] softTotals() {
    ExactSum[] totals = new ExactSum[soft.length];
    for (int c = 0; c < soft.length; c++) {
      totals[c] = soft[c] != null && withSoft[c] == sequences ? soft[c].copy() : null;
    }
    return totals;
  }
}
