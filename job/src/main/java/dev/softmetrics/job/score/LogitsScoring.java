package dev.softmetrics.job.score;

import dev.softmetrics.job.aggregate.RunAccumulator;
import dev.softmetrics.job.aggregate.RunTotals;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.job.score.SequenceAssembler.Assembled;
import dev.softmetrics.job.tables.RejectedRow;
import dev.softmetrics.job.tables.SequenceRow;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.corpus.CorpusMetrics;
import dev.softmetrics.udfs.sequence.RepeatedKeys;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.TaskCompletionListener;
import scala.Tuple2;

/**
 * The logits layout's pass: each scan task scores its chunks (one {@link Chunk} of sums per row,
 * the logits never leave the task), the chunks of each sequence meet in one task ({@code
 * groupByKey}) and are assembled there, and the assembled sequences are kept (memory, then disk)
 * for the two tables written from them: {@code sequences/} and {@code rejected/}. So the shards are
 * read once, and a rejected row's message is built where its data was.
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
            .mapPartitionsToPair(new ChunkScorer(scan.columns(), names))
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
  JavaRDD<InternalRow> sequences(RunAccumulator totals, PartitionScorer.RowChecks checks) {
    return assembled.mapPartitions(new Rows(runId, PartitionScorer.Emit.SCORED, totals, checks));
  }

  /** The rows of {@code rejected/}. */
  JavaRDD<InternalRow> rejected(PartitionScorer.RowChecks checks) {
    return assembled.mapPartitions(new Rows(runId, PartitionScorer.Emit.REJECTED, null, checks));
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

  /** Scores the batches of a scan partition into chunks, one Arrow allocator per task. */
  private static final class ChunkScorer
      implements PairFlatMapFunction<
          Iterator<org.apache.spark.sql.vectorized.ColumnarBatch>, SequenceKey, Chunk> {
    private static final long serialVersionUID = 1L;
    private final ScanColumns columns;
    private final ColumnNames names;

    ChunkScorer(ScanColumns columns, ColumnNames names) {
      this.columns = columns;
      this.names = names;
    }

    @Override
    public Iterator<Tuple2<SequenceKey, Chunk>> call(
        Iterator<org.apache.spark.sql.vectorized.ColumnarBatch> batches) {
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
      LogitsBatchScorer scorer = new LogitsBatchScorer(columns, names, allocator);
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

  /**
   * Turns assembled sequences into table rows: scored sequences (counting the partition's totals,
   * added to the run's accumulator when the partition is done) or rejected rows.
   */
  private static final class Rows implements FlatMapFunction<Iterator<Assembled>, InternalRow> {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final PartitionScorer.Emit emit;
    private final RunAccumulator totals;
    private final PartitionScorer.RowChecks checks;

    Rows(
        String runId,
        PartitionScorer.Emit emit,
        RunAccumulator totals,
        PartitionScorer.RowChecks checks) {
      this.runId = runId;
      this.emit = emit;
      this.totals = totals;
      this.checks = checks;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<Assembled> sequences) {
      UTF8String run = UTF8String.fromString(runId);
      RunTotals partition = new RunTotals();
      List<InternalRow> rows = new ArrayList<>();
      while (sequences.hasNext()) {
        Assembled a = sequences.next();
        SequenceKey key = a.key();
        List<Chunk> rejected = new ArrayList<>(a.rejected());
        DuplicateCopies.Copy kept = a.scored() ? checks.duplicates().keptFor(key) : null;
        if (kept != null) {
          for (Chunk c : a.scoredChunks()) {
            rejected.add(duplicate(c, key, kept));
          }
        }
        for (Chunk c : rejected) {
          Rejection reason = Rejection.ofId(c.status());
          if (checks.failOnBadRow()) {
            throw BadRows.stop(reason.code(), c.message());
          }
          partition.addRejected(c.file(), reason.code());
          if (emit == PartitionScorer.Emit.REJECTED) {
            rows.add(rejectedRow(run, key, c, reason));
          }
        }
        if (a.scored() && kept == null) {
          InternalRow row = scored(run, a, partition);
          if (emit == PartitionScorer.Emit.SCORED) {
            rows.add(row);
          }
        }
      }
      if (totals != null) {
        totals.add(partition);
      }
      return rows.iterator();
    }

    /** A chunk of a scored sequence that {@code kept} makes a duplicate. */
    private static Chunk duplicate(Chunk c, SequenceKey key, DuplicateCopies.Copy kept) {
      String message =
          DuplicateCopies.message(
              key.sequenceId(),
              key.model(),
              key.tokenizer(),
              c.where() + " (domain " + key.domain() + ", positions " + c.span() + ")",
              kept);
      return c.rejectedAs(Rejection.DUPLICATE_SEQUENCE, message);
    }

    private static InternalRow rejectedRow(
        UTF8String run, SequenceKey key, Chunk c, Rejection reason) {
      return new RejectedRow(
              run,
              utf8(key.sequenceId()),
              utf8(key.model()),
              utf8(key.tokenizer()),
              utf8(key.domain()),
              UTF8String.fromString(c.file()),
              c.row(),
              reason,
              c.message())
          .toInternalRow();
    }

    /** Counts a scored sequence in {@code partition} and builds its row of {@code sequences/}. */
    private static InternalRow scored(UTF8String run, Assembled a, RunTotals partition) {
      SequenceKey key = a.key();
      UTF8String model = utf8(key.model());
      UTF8String tokenizer = utf8(key.tokenizer());
      UTF8String domain = utf8(key.domain());
      partition.addSequence(
          model,
          tokenizer,
          domain,
          a.tokens(),
          a.nll(),
          a.bytes(),
          a.chars(),
          a.words(),
          a.soft(),
          a.vocab());
      for (Chunk c : a.scoredChunks()) {
        partition.addScoredRow(c.file());
      }
      partition.addSequenceKey(
          a.sourceFile(), SequenceKeyHash.of(key.sequenceId(), key.model(), key.tokenizer()));
      long t = a.tokens();
      return new SequenceRow(
              run,
              utf8(key.sequenceId()),
              model,
              tokenizer,
              domain,
              t,
              a.nll(),
              CorpusMetrics.meanNll(a.nll(), t),
              CorpusMetrics.pplToken(a.nll(), t),
              a.bytes(),
              a.chars(),
              a.words(),
              a.soft(),
              a.vocab(),
              UTF8String.fromString(a.sourceFile()))
          .toInternalRow();
    }

    private static UTF8String utf8(String s) {
      return s == null ? null : UTF8String.fromString(s);
    }
  }
}
