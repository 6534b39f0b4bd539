package dev.softmetrics.job.score;

import dev.softmetrics.job.aggregate.PassAccumulator;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.score.batch.AssembledRows;
import dev.softmetrics.job.score.batch.ChunkScorer;
import dev.softmetrics.job.score.batch.DuplicateCopies;
import dev.softmetrics.job.score.batch.PartitionScorer;
import dev.softmetrics.job.score.batch.SequenceAssembler;
import dev.softmetrics.job.score.batch.SequenceAssembler.Assembled;
import dev.softmetrics.job.score.batch.SequenceKey;
import dev.softmetrics.job.score.batch.SequenceKeyHash;
import dev.softmetrics.udfs.sequence.RepeatedKeys;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The logits layout's pass: each scan task scores its chunks (one {@link
 * dev.softmetrics.job.score.batch.Chunk} of sums per row, the logits never leave the task), the
 * chunks of each sequence meet in one task ({@code groupByKey}) and are assembled there, and the
 * assembled sequences are kept (memory, then disk) for the two tables written from them: {@code
 * sequences/} and {@code rejected/}. So the shards are read once, and a rejected row's message is
 * built where its data was.
 */
final class LogitsScoring implements AutoCloseable {
  private final JavaRDD<Assembled> assembled;
  private final String runId;

  /**
   * The pass over {@code scan}, whose files hold {@code rows} chunk rows in all; the assembling
   * stage runs {@link #assemblyTasks} tasks of about {@code chunksPerTask} rows ({@code
   * read.logits-chunks-per-task}).
   */
  LogitsScoring(ShardScan scan, long rows, long chunksPerTask, ColumnNames names, String runId) {
    this.runId = runId;
    JavaRDD<org.apache.spark.sql.vectorized.ColumnarBatch> batches = scan.batches();
    this.assembled =
        batches
            .mapPartitionsToPair(new ChunkScorer(scan.columns(), names, scan.logitsPages()))
            .groupByKey(assemblyTasks(rows, chunksPerTask, batches.getNumPartitions()))
            .map(group -> SequenceAssembler.assemble(group._1(), group._2()))
            .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * Tasks of the assembling stage for {@code rows} chunk rows read by {@code scanTasks} tasks: one
   * per {@code chunksPerTask} rows, at least one and at most one per scan task. Each of those tasks
   * has a fixed cost of about 0.1 s (the shuffle read, a Parquet writer per {@code file_key}, the
   * task commit): a run of a few hundred chunks over one task per scan split spent more on that
   * stage than on its kernels.
   */
  static int assemblyTasks(long rows, long chunksPerTask, int scanTasks) {
    long wanted = rows / chunksPerTask + (rows % chunksPerTask == 0 ? 0 : 1);
    return (int) Math.max(1, Math.min(wanted, Math.max(1, scanTasks)));
  }

  /**
   * The rows of {@code sequences/}; the pass's totals go to {@code totals} as tasks finish. The
   * sequences of {@code checks.duplicates()} are rejected; with {@code checks.failOnBadRow()} the
   * first rejected row stops the pass.
   */
  JavaRDD<InternalRow> sequences(PassAccumulator totals, PartitionScorer.RowChecks checks) {
    return assembled.mapPartitions(
        new AssembledRows(runId, PartitionScorer.Emit.SCORED, totals, checks));
  }

  /** The rows of {@code rejected/}. */
  JavaRDD<InternalRow> rejected(PartitionScorer.RowChecks checks) {
    return assembled.mapPartitions(
        new AssembledRows(runId, PartitionScorer.Emit.REJECTED, null, checks));
  }

  /**
   * The scored sequences whose key hash is among {@code sortedCandidates}, as the copies that may
   * be duplicates: their labels and the file and row of their first chunk.
   */
  List<Tuple2<SequenceKey, DuplicateCopies.Copy>> copies(long[] sortedCandidates) {
    return assembled
        .filter(
            a ->
                a.scored()
                    && RepeatedKeys.contains(
                        sortedCandidates,
                        SequenceKeyHash.of(
                            a.key().sequenceId(), a.key().model(), a.key().tokenizer())))
        .map(a -> new Tuple2<>(a.key(), new DuplicateCopies.Copy(a.sourceFile(), a.sourceRow())))
        .collect();
  }

  @Override
  public void close() {
    assembled.unpersist(false);
  }
}
