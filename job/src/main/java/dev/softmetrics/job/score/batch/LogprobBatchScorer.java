package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ListColumnReader;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.job.tables.RejectedRow;
import dev.softmetrics.job.tables.SequenceRow;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Scores one columnar batch of the log-prob layout: views the columns as Arrow vectors ({@link
 * BatchView}, {@link LogprobColumns}), runs the kernels, and hands each row on, scored or rejected.
 * No metric is computed here; this class only feeds and collects.
 */
final class LogprobBatchScorer {
  /** Where the rows of a batch go. */
  interface Sink {
    /**
     * A scored row, with its row in the input file and the hash of its key ({@link
     * SequenceKeyHash}); {@code row}'s arrays are reused for the next row once this returns.
     */
    void scored(SequenceRow row, long sourceRow, long keyHash);

    /** A rejected row, a {@link RejectedRow} converted; only called when {@link #wantsRejected}. */
    void rejected(InternalRow row);

    /** False when rejected rows only need counting (their messages are not built). */
    boolean wantsRejected();
  }

  private final ScanColumns columns;
  private final ListColumnReader logprobPages;
  private final ColumnNames names;
  private final double positiveTolerance;
  private final BufferAllocator allocator;
  private final UTF8String runId;
  private final DuplicateCopies duplicates;

  /**
   * The last value copied out of each label column, kept across the task's batches (the labels'
   * count is the same in every batch): see {@link LogprobRows}. Null until a batch is scored.
   */
  private UTF8String[] lastLabels;

  /**
   * @param logprobPages the reader of the log-prob column when the batches lack it, or null
   * @param duplicates the rows to reject as copies of another, and the copy each one defers to
   */
  LogprobBatchScorer(
      ScanColumns columns,
      ListColumnReader logprobPages,
      ColumnNames names,
      double positiveTolerance,
      BufferAllocator allocator,
      String runId,
      DuplicateCopies duplicates) {
    this.columns = columns;
    this.logprobPages = logprobPages;
    this.names = names;
    this.positiveTolerance = positiveTolerance;
    this.allocator = allocator;
    this.runId = UTF8String.fromString(runId);
    this.duplicates = duplicates;
  }

  /** Scores a batch into {@code sink} and counts every row in {@code totals}. */
  void score(ColumnarBatch batch, Sink sink, PassTotals totals) {
    if (batch.numRows() == 0) {
      return;
    }
    try (BatchView view = BatchView.open(batch, columns, names, allocator)) {
      LogprobColumns logprob = new LogprobColumns(view, columns, logprobPages, positiveTolerance);
      view.checkLabels();
      logprob.score(view.status());
      view.checkText();
      if (lastLabels == null) {
        lastLabels = new UTF8String[view.labels().length];
      }
      new LogprobRows(view, logprob, runId, duplicates, sink, totals, lastLabels).emit();
    }
  }
}
