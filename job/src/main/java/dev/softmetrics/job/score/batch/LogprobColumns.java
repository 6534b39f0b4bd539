package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ListColumnReader;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.logprobs.LogprobExtrasKernel;
import dev.softmetrics.udfs.logprobs.LogprobSumKernel;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import dev.softmetrics.udfs.sequence.SequenceMetricsKernel;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * The columns of the log-prob layout in one batch, as Arrow vectors, with the kernels' outputs: the
 * per-token lists (log-probs, and the optional entropies, reference log-probs and top-k log-probs)
 * and each row's sums. Its vectors belong to the {@link BatchView} that opened them.
 */
final class LogprobColumns {
  /** A null at position 0 has one meaning, a token without context, so it is always left out. */
  private static final boolean SKIP_NULL_FIRST = true;

  final ListVector logprobs;
  final ListVector entropies;
  final ListVector refLogprobs;
  final ListVector topLogprobs;
  final BigIntVector vocab;
  final BigIntVector tokens;
  final Float8Vector nllSum;
  final Float8Vector meanNll;
  final Float8Vector ppl;
  private final Float8Vector entropySum;
  private final Float8Vector k1Sum;
  private final Float8Vector k2Sum;
  private final Float8Vector k3Sum;
  private final Float8Vector lowerSum;
  private final Float8Vector upperSum;
  private final ColumnNames names;
  private final double positiveTolerance;

  /**
   * Views the layout's columns of {@code view}'s batch; the log-prob column comes from {@code
   * logprobPages} when it is not null (the batch then lacks it).
   */
  LogprobColumns(
      BatchView view,
      ScanColumns columns,
      ListColumnReader logprobPages,
      double positiveTolerance) {
    this.names = view.names();
    this.positiveTolerance = positiveTolerance;
    BufferAllocator allocator = view.allocator();
    this.logprobs =
        logprobPages == null
            ? view.floatingList(columns.tokenLogprobs(), names.tokenLogprobs())
            : view.own(view.pageList(logprobPages, names.tokenLogprobs()));
    this.tokens = view.own(new BigIntVector("tokens", allocator));
    this.nllSum = view.own(new Float8Vector("nll_sum", allocator));
    this.meanNll = view.own(new Float8Vector("mean_nll", allocator));
    this.ppl = view.own(new Float8Vector("ppl", allocator));
    this.entropies = view.floatingList(columns.tokenEntropies(), names.tokenEntropies());
    this.refLogprobs = view.floatingList(columns.refLogprobs(), names.refLogprobs());
    this.topLogprobs = view.nestedFloatingList(columns.topLogprobs(), names.topLogprobs());
    this.vocab = topLogprobs == null ? null : view.longs(columns.vocabSize(), names.vocabSize());
    this.entropySum = view.own(new Float8Vector("entropy_sum", allocator));
    this.k1Sum = view.own(new Float8Vector("k1_sum", allocator));
    this.k2Sum = view.own(new Float8Vector("k2_sum", allocator));
    this.k3Sum = view.own(new Float8Vector("k3_sum", allocator));
    this.lowerSum = view.own(new Float8Vector("entropy_lower_sum", allocator));
    this.upperSum = view.own(new Float8Vector("entropy_upper_sum", allocator));
  }

  /**
   * Runs the layout's kernels, recording each row's first problem in {@code status}. A null first
   * log-prob is the unconditioned first token (vLLM's {@code prompt_logprobs} give it none): it is
   * left out, with the optional columns' entry at position 0.
   */
  void score(IntVector status) {
    LogprobSumKernel.apply(logprobs, positiveTolerance, SKIP_NULL_FIRST, tokens, nllSum, status);
    if (entropies != null) {
      LogprobExtrasKernel.entropies(
          logprobs, entropies, tokens, positiveTolerance, entropySum, status);
    }
    if (refLogprobs != null) {
      LogprobExtrasKernel.referenceKl(
          logprobs, refLogprobs, tokens, positiveTolerance, k1Sum, k2Sum, k3Sum, status);
    }
    if (topLogprobs != null) {
      LogprobExtrasKernel.topKEntropyBounds(
          logprobs, topLogprobs, vocab, tokens, positiveTolerance, lowerSum, upperSum, status);
    }
    SequenceMetricsKernel.apply(tokens, nllSum, meanNll, ppl);
  }

  /** Puts a scored row's sums of the soft columns into {@code soft}: NaN where it has none. */
  void softSums(int row, double[] soft) {
    soft[SoftColumn.MEAN_ENTROPY.ordinal()] = sum(entropies, entropySum, row);
    soft[SoftColumn.KL_K1.ordinal()] = sum(refLogprobs, k1Sum, row);
    soft[SoftColumn.KL_K2.ordinal()] = sum(refLogprobs, k2Sum, row);
    soft[SoftColumn.KL_K3.ordinal()] = sum(refLogprobs, k3Sum, row);
    soft[SoftColumn.ENTROPY_LOWER.ordinal()] = sum(topLogprobs, lowerSum, row);
    soft[SoftColumn.ENTROPY_UPPER.ordinal()] = sum(topLogprobs, upperSum, row);
  }

  /**
   * Puts a scored row's NLL and entropy by position bucket into {@code into}: position p is the
   * index in the row's list.
   */
  void positionSums(int row, PositionBuckets.Sums into) {
    into.clear();
    PositionBuckets.addLogprobs(logprobs, row, 0, into);
    if (entropies != null) {
      PositionBuckets.addEntropies(entropies, row, 0, into);
    }
  }

  /** The row's vocabulary size, 0 when the input has none. */
  long vocab(int row) {
    return vocab == null || vocab.isNull(row) ? 0 : vocab.get(row);
  }

  /**
   * The message of a row rejected by this layout's kernels.
   *
   * @throws IllegalStateException for a reason the layout does not decide
   */
  String message(Rejection rejection, int row, String where) {
    return switch (rejection) {
      case MISSING_LOGPROBS -> RejectionMessages.missingLogprobs(names.tokenLogprobs(), where);
      case EMPTY_LOGPROBS -> RejectionMessages.emptyLogprobs(names.tokenLogprobs(), where);
      case NULL_LOGPROB, NON_FINITE_LOGPROB, POSITIVE_LOGPROB -> badLogprob(rejection, row, where);
      case EXTRA_LENGTH_MISMATCH -> lengthMismatch(row, where);
      case INVALID_TOKEN_ENTROPY ->
          RejectionMessages.invalidTokenEntropy(names.tokenEntropies(), where);
      case INVALID_REF_LOGPROB -> RejectionMessages.invalidRefLogprob(names.refLogprobs(), where);
      case INVALID_TOP_LOGPROBS ->
          RejectionMessages.invalidTopLogprobs(names.topLogprobs(), names.vocabSize(), where);
      case MISSING_TEXT_AND_COUNTS ->
          RejectionMessages.missingTextAndCounts(names.text(), names.numBytes(), where);
      default ->
          throw new IllegalStateException(
              "Rejection " + rejection + " does not occur in the logprobs layout");
    };
  }

  private String badLogprob(Rejection rejection, int row, String where) {
    String column = names.tokenLogprobs();
    int at =
        LogprobSumKernel.firstElementOf(
            logprobs, row, rejection, positiveTolerance, SKIP_NULL_FIRST);
    if (rejection == Rejection.NULL_LOGPROB) {
      return RejectionMessages.nullLogprob(column, at, where);
    }
    double value = LogprobSumKernel.elementAsDouble(logprobs, row, at);
    return rejection == Rejection.NON_FINITE_LOGPROB
        ? RejectionMessages.nonFiniteLogprob(column, at, value, where)
        : RejectionMessages.positiveLogprob(column, at, value, where);
  }

  private String lengthMismatch(int row, String where) {
    ListVector[] extras = {entropies, refLogprobs, topLogprobs};
    int[] lengths = new int[extras.length];
    for (int e = 0; e < extras.length; e++) {
      lengths[e] = extras[e] == null || extras[e].isNull(row) ? -1 : length(extras[e], row);
    }
    return RejectionMessages.extraLengthMismatch(
        names.tokenLogprobs(),
        length(logprobs, row),
        List.of(names.tokenEntropies(), names.refLogprobs(), names.topLogprobs()),
        lengths,
        where);
  }

  private static int length(ListVector list, int row) {
    return list.getElementEndIndex(row) - list.getElementStartIndex(row);
  }

  /** A row's sum from an extras kernel, NaN when the input lacks the column or the row's list. */
  private static double sum(ListVector input, Float8Vector sums, int row) {
    return input == null || sums.isNull(row) ? Double.NaN : sums.get(row);
  }
}
