package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.tables.RejectedRow;
import dev.softmetrics.job.tables.SequenceRow;
import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The rows of one log-prob batch on their way to the sink, scored or rejected: each row's reason
 * (the kernels' status, then a missing count or a duplicate), its {@code sequences/} or {@code
 * rejected/} row, and its counts in the run's totals.
 */
final class LogprobRows {
  private final UTF8String runId;
  private final DuplicateCopies duplicates;
  private final BatchView view;
  private final LogprobColumns logprob;
  private final LogprobBatchScorer.Sink sink;
  private final PassTotals totals;
  private final double[] soft = SoftColumn.none();
  private final PositionBuckets.Sums positions = new PositionBuckets.Sums();
  private Map<Long, DuplicateCopies.Copy> fileDuplicates;

  /**
   * Per label column after the sequence id, the last value copied out of a batch (the task's, so it
   * carries over from batch to batch): model, tokenizer, domain and extra labels repeat from row to
   * row, so an equal value is shared rather than copied again (values are immutable).
   */
  private final UTF8String[] lastLabels;

  LogprobRows(
      BatchView view,
      LogprobColumns logprob,
      UTF8String runId,
      DuplicateCopies duplicates,
      LogprobBatchScorer.Sink sink,
      PassTotals totals,
      UTF8String[] lastLabels) {
    this.view = view;
    this.runId = runId;
    this.duplicates = duplicates;
    this.logprob = logprob;
    this.sink = sink;
    this.totals = totals;
    this.lastLabels = lastLabels;
  }

  void emit() {
    String sourceName = null;
    for (int row = 0; row < view.rows(); row++) {
      String rowSource = view.sourceOf(row);
      if (!rowSource.equals(sourceName)) {
        sourceName = rowSource;
        fileDuplicates = duplicates.inFile(sourceName);
      }
      long sourceRow = view.sourceRow(row);
      long bytes = view.bytes(row);
      int reason = view.status().get(row);
      if (reason == Rejection.SCORED && bytes < 0) {
        reason = Rejection.MISSING_TEXT_AND_COUNTS.id();
      }
      if (reason == Rejection.SCORED
          && fileDuplicates != null
          && fileDuplicates.containsKey(sourceRow)) {
        reason = Rejection.DUPLICATE_SEQUENCE.id();
      }
      if (reason == Rejection.SCORED) {
        scored(row, sourceRow, bytes);
      } else {
        rejected(row, sourceRow, Rejection.ofId(reason));
      }
    }
  }

  private void rejected(int row, long sourceRow, Rejection rejection) {
    String sourceName = view.source();
    totals.addRejected(sourceName, rejection.code());
    if (!sink.wantsRejected()) {
      return;
    }
    String message = message(rejection, row, view.where(sourceRow));
    ColumnVector[] labels = view.labels();
    UTF8String source = view.sourceBytes();
    sink.rejected(
        new RejectedRow(
                runId,
                label(labels[0], row),
                label(labels[1], row),
                label(labels[2], row),
                label(labels[3], row),
                source,
                sourceRow,
                rejection,
                message)
            .toInternalRow());
  }

  private String message(Rejection rejection, int row, String where) {
    return switch (rejection) {
      case MISSING_LABEL,
          RESERVED_LABEL,
          TEXT_COUNT_MISMATCH,
          INVALID_GIVEN_COUNT,
          INVALID_UTF8,
          MALFORMED_JSON_LINE ->
          view.message(rejection, row, where);
      case DUPLICATE_SEQUENCE ->
          RejectionMessages.duplicateSequence(
              view.labelText(0, row),
              view.labelText(1, row),
              view.labelText(2, row),
              where,
              fileDuplicates.get(view.sourceRow(row)));
      default -> logprob.message(rejection, row, where);
    };
  }

  private void scored(int row, long sourceRow, long bytes) {
    String sourceName = view.source();
    UTF8String source = view.sourceBytes();
    ColumnVector[] labels = view.labels();
    long chars = view.chars(row);
    long words = view.words(row);
    UTF8String sequenceId = label(labels[0], row);
    UTF8String model = repeatedLabel(1, row);
    UTF8String tokenizer = repeatedLabel(2, row);
    UTF8String domain = repeatedLabel(3, row);
    UTF8String[] extras = extraLabels(labels, row);
    long keyHash = SequenceKeyHash.of(sequenceId, model, tokenizer);
    totals.addSequenceKey(sourceName, keyHash);
    BigIntVector tokens = logprob.tokens;
    Float8Vector nllSum = logprob.nllSum;
    Float8Vector meanNll = logprob.meanNll;
    Float8Vector ppl = logprob.ppl;
    long rowTokens = tokens.get(row);
    logprob.softSums(row, soft);
    logprob.positionSums(row, positions);
    long rowVocab = logprob.vocab(row);
    totals.addScored(
        sequenceId,
        model,
        tokenizer,
        domain,
        extras,
        sourceName,
        rowTokens,
        nllSum.get(row),
        bytes,
        chars,
        words,
        soft,
        rowVocab);
    totals.addPositions(positions);
    sink.scored(
        new SequenceRow(
            runId,
            sequenceId,
            model,
            tokenizer,
            domain,
            rowTokens,
            nllSum.get(row),
            meanNll.get(row),
            ppl.get(row),
            bytes,
            chars,
            words,
            soft,
            rowVocab,
            source,
            positions,
            extras),
        sourceRow,
        keyHash);
  }

  /** The values of the extra labels, after the four built-in ones, copied out of the batch. */
  private UTF8String[] extraLabels(ColumnVector[] labels, int row) {
    if (labels.length == 4) {
      return SequenceRow.NO_EXTRA_LABELS;
    }
    UTF8String[] extras = new UTF8String[labels.length - 4];
    for (int i = 0; i < extras.length; i++) {
      extras[i] = repeatedLabel(4 + i, row);
    }
    return extras;
  }

  /**
   * Label {@code column}'s value in {@code row}, valid after the batch: the value this column had
   * last when equal, so that repeated labels are not copied again ({@link BatchView#keptLabel}); or
   * null.
   */
  private UTF8String repeatedLabel(int column, int row) {
    UTF8String value = view.keptLabel(column, row, lastLabels[column]);
    if (value != null) {
      lastLabels[column] = value;
    }
    return value;
  }

  /** The label's bytes, copied out of the batch (the reader reuses its memory), or null. */
  private static UTF8String label(ColumnVector column, int row) {
    return column.isNullAt(row) ? null : column.getUTF8String(row).copy();
  }
}
