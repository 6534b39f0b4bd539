package dev.softmetrics.job.score;

import dev.softmetrics.job.aggregate.RunAccumulator;
import dev.softmetrics.job.aggregate.RunTotals;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Runs on the executors: scores the batches of one scan partition, each before the reader reuses
 * its memory for the next, with one Arrow allocator per task. It emits either the scored rows (and
 * adds the partition's totals to the run's accumulator once the partition is done) or only the
 * rejected rows, with their messages.
 */
final class PartitionScorer implements FlatMapFunction<Iterator<ColumnarBatch>, InternalRow> {
  private static final long serialVersionUID = 1L;

  /** Which rows a pass emits. */
  enum Emit {
    SCORED,
    REJECTED
  }

  private final ScanColumns columns;
  private final ColumnNames names;
  private final double positiveTolerance;
  private final String runId;
  private final Emit emit;
  private final RunAccumulator totals;

  PartitionScorer(
      ScanColumns columns,
      ColumnNames names,
      double positiveTolerance,
      String runId,
      Emit emit,
      RunAccumulator totals) {
    this.columns = columns;
    this.names = names;
    this.positiveTolerance = positiveTolerance;
    this.runId = runId;
    this.emit = emit;
    this.totals = totals;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<ColumnarBatch> batches) {
    BufferAllocator allocator = new RootAllocator();
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener(
          new TaskCompletionListener() {
            @Override
            public void onTaskCompletion(TaskContext context) {
              allocator.close();
            }
          });
    }
    LogprobBatchScorer scorer =
        new LogprobBatchScorer(columns, names, positiveTolerance, allocator, runId);
    RunTotals partition = new RunTotals();
    ArrayDeque<InternalRow> pending = new ArrayDeque<>();
    LogprobBatchScorer.Sink sink =
        new LogprobBatchScorer.Sink() {
          @Override
          public void scored(InternalRow row) {
            if (emit == Emit.SCORED) {
              pending.add(row);
            }
          }

          @Override
          public void rejected(InternalRow row) {
            pending.add(row);
          }

          @Override
          public boolean wantsRejected() {
            return emit == Emit.REJECTED;
          }
        };
    return new Iterator<>() {
      private boolean done;

      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && batches.hasNext()) {
          scorer.score(batches.next(), sink, partition);
        }
        if (pending.isEmpty() && !done) {
          done = true;
          if (totals != null) {
            totals.add(partition);
          }
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
