package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.BinaryColumnReader;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.job.io.TaskEnd;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import scala.Tuple2;

/** Scores the batches of a scan partition into chunks, one Arrow allocator per task. */
public final class ChunkScorer
    implements PairFlatMapFunction<
        Iterator<org.apache.spark.sql.vectorized.ColumnarBatch>, SequenceKey, Chunk> {
  private static final long serialVersionUID = 1L;
  private final ScanColumns columns;
  private final ColumnNames names;
  private final ShardScan.LogitsPages pages;

  /**
   * @param pages the binary logits columns the tasks read from the pages (the batches lack them)
   */
  public ChunkScorer(ScanColumns columns, ColumnNames names, ShardScan.LogitsPages pages) {
    this.columns = columns;
    this.names = names;
    this.pages = pages;
  }

  @Override
  public Iterator<Tuple2<SequenceKey, Chunk>> call(
      Iterator<org.apache.spark.sql.vectorized.ColumnarBatch> batches) {
    BufferAllocator allocator = TaskEnd.closes(new RootAllocator());
    BinaryColumnReader logits =
        pages.logits() == null ? null : TaskEnd.closes(pages.logits().openBinary());
    BinaryColumnReader refLogits =
        pages.refLogits() == null ? null : TaskEnd.closes(pages.refLogits().openBinary());
    LogitsBatchScorer scorer = new LogitsBatchScorer(columns, names, allocator, logits, refLogits);
    ArrayDeque<Tuple2<SequenceKey, Chunk>> pending = new ArrayDeque<>();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && batches.hasNext()) {
          scorer.score(batches.next(), (key, chunk) -> pending.add(new Tuple2<>(key, chunk)));
        }
        return !pending.isEmpty();
      }

      @Override
      public Tuple2<SequenceKey, Chunk> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return pending.poll();
      }
    };
  }
}
