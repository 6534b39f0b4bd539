package dev.softmetrics.job.score;

import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.job.score.LogprobBatchScorer.ColumnLabels;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Runs on the executors: scores the batches of one scan partition, each before the reader reuses
 * its memory for the next, with one Arrow allocator per task.
 */
final class PartitionScorer implements FlatMapFunction<Iterator<ColumnarBatch>, Row> {
  private static final long serialVersionUID = 1L;

  private final ScanColumns columns;
  private final ColumnLabels names;
  private final double positiveTolerance;

  PartitionScorer(ScanColumns columns, ColumnLabels names, double positiveTolerance) {
    this.columns = columns;
    this.names = names;
    this.positiveTolerance = positiveTolerance;
  }

  @Override
  public Iterator<Row> call(Iterator<ColumnarBatch> batches) {
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
        new LogprobBatchScorer(columns, names, positiveTolerance, allocator);
    return new Iterator<>() {
      private Iterator<Row> current = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && batches.hasNext()) {
          current = scorer.score(batches.next()).iterator();
        }
        return current.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }
}
