package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.aggregate.PassAccumulator;
import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ColumnPages;
import dev.softmetrics.job.io.ListColumnReader;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.job.io.TaskEnd;
import dev.softmetrics.job.output.SequenceFiles;
import dev.softmetrics.job.tables.RejectedRow;
import dev.softmetrics.job.tables.SequenceRow;
import dev.softmetrics.udfs.sequence.RepeatedKeys;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Runs on the executors: scores the batches of one scan partition, each before the reader reuses
 * its memory for the next, with one Arrow allocator per task. As {@link #writing} it writes the
 * scored rows into the task's files of {@code sequences/} and returns those files (and adds the
 * partition's totals to the run's accumulator once the partition is done); as a function itself it
 * emits only the rejected rows, with their messages, or the keys of the scored rows whose key hash
 * is a duplicate candidate. With {@code validation.on-bad-row = fail} the first bad row stops the
 * task, and so the run, with the row's message.
 */
public final class PartitionScorer
    implements FlatMapFunction<Iterator<ColumnarBatch>, InternalRow> {
  private static final long serialVersionUID = 1L;

  /** Which rows a pass emits. */
  public enum Emit {
    /** None: the scored rows go into {@code sequences/} ({@link #writing}). */
    SCORED,
    REJECTED,
    /** The {@link CandidateKey} rows of candidate duplicates. */
    KEYS
  }

  private final ScanColumns columns;
  private final ColumnPages logprobPages;
  private final ColumnNames names;
  private final double positiveTolerance;
  private final String runId;
  private final Emit emit;
  private final PassAccumulator totals;
  private final RowChecks checks;

  /**
   * What a pass checks besides each row itself.
   *
   * @param failOnBadRow stop at the first rejected row
   * @param duplicates rows to reject as copies of others
   * @param keyCandidates for {@link Emit#KEYS}: the key hashes to report, ascending
   */
  public record RowChecks(boolean failOnBadRow, DuplicateCopies duplicates, long[] keyCandidates)
      implements java.io.Serializable {}

  /**
   * @param logprobPages the log-prob column, when the tasks read it from the Parquet pages (the
   *     batches then lack it); null when the batches hold it
   */
  public PartitionScorer(
      ScanColumns columns,
      ColumnPages logprobPages,
      ColumnNames names,
      double positiveTolerance,
      String runId,
      Emit emit,
      PassAccumulator totals,
      RowChecks checks) {
    this.columns = columns;
    this.logprobPages = logprobPages;
    this.names = names;
    this.positiveTolerance = positiveTolerance;
    this.runId = runId;
    this.emit = emit;
    this.totals = totals;
    this.checks = checks;
  }

  /**
   * The scoring of {@link Emit#SCORED}: each task writes its scored rows into {@code files} and
   * returns the files it wrote.
   */
  public FlatMapFunction<Iterator<ColumnarBatch>, SequenceFiles.Written> writing(
      SequenceFiles files) {
    if (emit != Emit.SCORED) {
      throw new IllegalStateException("Only the scoring pass writes sequences/, not " + emit);
    }
    return batches -> {
      SequenceFiles.Task out = files.openTask();
      PassTotals partition = totals != null ? totals.newTaskTotals() : new PassTotals();
      LogprobBatchScorer scorer = scorer();
      LogprobBatchScorer.Sink sink =
          new LogprobBatchScorer.Sink() {
            @Override
            public void scored(SequenceRow row, long sourceRow, long keyHash) {
              out.write(row);
            }

            @Override
            public void rejected(InternalRow row) {
              stopAtBadRow(row);
            }

            @Override
            public boolean wantsRejected() {
              return checks.failOnBadRow();
            }
          };
      while (batches.hasNext()) {
        scorer.score(batches.next(), sink, partition);
      }
      List<SequenceFiles.Written> written = out.finish();
      if (totals != null) {
        totals.add(partition);
      }
      return written.iterator();
    };
  }

  private LogprobBatchScorer scorer() {
    BufferAllocator allocator = TaskEnd.closes(new RootAllocator());
    ListColumnReader pages = logprobPages == null ? null : TaskEnd.closes(logprobPages.openList());
    return new LogprobBatchScorer(
        columns, pages, names, positiveTolerance, allocator, runId, checks.duplicates());
  }

  /** Under {@code validation.on-bad-row = fail}: the task's failure, naming {@code rejected}. */
  private void stopAtBadRow(InternalRow rejected) {
    if (checks.failOnBadRow()) {
      throw RejectionMessages.stopAtBadRow(
          rejected.getUTF8String(RejectedRow.REASON).toString(),
          rejected.getUTF8String(RejectedRow.MESSAGE).toString());
    }
  }

  /** The rows of {@link Emit#REJECTED} or {@link Emit#KEYS}, lazily, batch by batch. */
  @Override
  public Iterator<InternalRow> call(Iterator<ColumnarBatch> batches) {
    if (emit == Emit.SCORED) {
      throw new IllegalStateException("The scoring pass writes sequences/: see writing()");
    }
    LogprobBatchScorer scorer = scorer();
    PassTotals partition = new PassTotals();
    ArrayDeque<InternalRow> pending = new ArrayDeque<>();
    LogprobBatchScorer.Sink sink =
        new LogprobBatchScorer.Sink() {
          @Override
          public void scored(SequenceRow row, long sourceRow, long keyHash) {
            if (emit == Emit.KEYS && RepeatedKeys.contains(checks.keyCandidates(), keyHash)) {
              pending.add(CandidateKey.of(row, sourceRow));
            }
          }

          @Override
          public void rejected(InternalRow row) {
            stopAtBadRow(row);
            pending.add(row);
          }

          @Override
          public boolean wantsRejected() {
            return emit == Emit.REJECTED || checks.failOnBadRow();
          }
        };
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && batches.hasNext()) {
          scorer.score(batches.next(), sink, partition);
        }
        return !pending.isEmpty();
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return pending.poll();
      }
    };
  }
}
