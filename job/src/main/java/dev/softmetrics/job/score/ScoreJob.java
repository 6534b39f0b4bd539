package dev.softmetrics.job.score;

import dev.softmetrics.job.Versions;
import dev.softmetrics.job.aggregate.Accounting;
import dev.softmetrics.job.aggregate.CorpusAggregation;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.aggregate.GroupTotals;
import dev.softmetrics.job.aggregate.RunAccumulator;
import dev.softmetrics.job.aggregate.RunTotals;
import dev.softmetrics.job.aggregate.StoredTotals;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.config.InputFormat;
import dev.softmetrics.job.io.InputFiles;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.output.FileKeys;
import dev.softmetrics.job.output.OutputTables;
import dev.softmetrics.job.output.RunRecord;
import dev.softmetrics.job.output.StagedRun;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * One scoring run: reads the shards, scores every row, writes {@code sequences/}, {@code
 * rejected/}, {@code corpus/} and finally the {@code runs/} row, after checking that every row read
 * was scored or rejected.
 */
public final class ScoreJob {
  private ScoreJob() {}

  /**
   * Runs the job on a session the caller owns.
   *
   * @throws IllegalArgumentException for bad input that stops the whole run (missing path, wrong
   *     schema)
   * @throws IllegalStateException when the accounting does not hold; the tables are written, the
   *     run marked failed
   */
  public static RunResult run(SparkSession spark, ScoreRequest request) {
    Instant started = Instant.now();
    var config = request.config();
    ShardScan.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
    var names = config.columns();
    String output = request.output();
    String runId = request.runId();
    try {
      ShardScan listed =
          ShardScan.open(
              spark,
              request.inputs(),
              names,
              config.format(),
              config.batchRows(),
              config.logitsBatchRows());
      Inputs inputs = Inputs.of(spark, listed, output, config.incremental());
      ShardScan scan = inputs.scan();
      RunAccumulator accumulator = new RunAccumulator();
      spark.sparkContext().register(accumulator, "softmetrics run totals");
      spark.sparkContext().setJobDescription("score and write sequences/");
      StagedRun staged =
          StagedRun.begin(spark, output, runId, line -> System.err.println("softmetrics: " + line));
      boolean nothingToScore = inputs.files().isEmpty();
      LogitsScoring logits =
          scan.layout() == InputFormat.LOGITS && !nothingToScore
              ? new LogitsScoring(scan, names, runId)
              : null;
      boolean finished = false;
      try {
        JavaRDD<InternalRow> scored =
            nothingToScore
                ? JavaSparkContext.fromSparkContext(spark.sparkContext()).emptyRDD()
                : logits != null
                    ? logits.sequences(accumulator)
                    : scan.batches()
                        .mapPartitions(
                            new PartitionScorer(
                                scan.columns(),
                                names,
                                config.positiveLogprobTolerance(),
                                runId,
                                PartitionScorer.Emit.SCORED,
                                accumulator));
        StageClock clock = new StageClock();
        staged.write(frame(spark, scored, OutputTables.SEQUENCES_SCHEMA), OutputTables.SEQUENCES);
        clock.lap("score");
        RunResult result =
            finish(spark, inputs, request, logits, staged, accumulator.value(), started, clock);
        finished = true;
        return result;
      } finally {
        if (logits != null) {
          logits.close();
        }
        // A run that failed before committing leaves nothing; one that failed while committing
        // leaves its plan, which the next run into the folder completes.
        if (finished || !staged.committed()) {
          staged.close();
        }
      }
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /**
   * Everything after the scoring pass: rejected/ and the accounting, the commit of the run's
   * partitions, corpus/ and runs/.
   */
  private static RunResult finish(
      SparkSession spark,
      Inputs inputs,
      ScoreRequest request,
      LogitsScoring logits,
      StagedRun staged,
      RunTotals totals,
      Instant started,
      StageClock clock) {
    ShardScan scan = inputs.scan();
    var config = request.config();
    String output = request.output();
    String runId = request.runId();
    ColumnNames names = config.columns();
    // rejected/ (a Spark job when rows were rejected) and the footer counts are independent, so
    // they overlap. The commit, corpus/ and runs/ follow, in that order.
    Accounting accounting;
    ExecutorService writers = Executors.newFixedThreadPool(1);
    try {
      CompletableFuture<Void> rejectedWrite =
          CompletableFuture.runAsync(
              () -> {
                spark.sparkContext().setJobDescription("write rejected/");
                writeRejected(spark, scan, logits, request, names, totals, staged);
              },
              writers);
      accounting = account(spark, inputs.files(), totals);
      await(rejectedWrite);
    } finally {
      writers.shutdownNow();
    }
    clock.lap("rejected_and_accounting");
    Set<String> keys = fileKeys(inputs.files(), totals);
    staged.commit(keys, OutputTables.SEQUENCES_SCHEMA, OutputTables.REJECTED_SCHEMA);
    clock.lap("commit");
    List<CorpusRow> corpus =
        CorpusAggregation.rows(corpusTotals(spark, output, staged, keys, totals), config.flags());
    spark.sparkContext().setJobDescription("write corpus/");
    OutputTables.writeCorpus(spark, corpus, output, runId);
    clock.lap("corpus");
    spark.sparkContext().setJobDescription("write runs/");
    RunRecord run =
        new RunRecord(
            runId,
            started,
            Instant.now(),
            accounting.balanced() ? "succeeded" : "failed: accounting",
            scan.layout().toString(),
            request.inputs(),
            accounting.files(),
            config.rendered(),
            Versions.softmetrics(),
            spark.version(),
            System.getProperty("java.version"),
            spark.sparkContext().master(),
            accounting.rowsRead(),
            accounting.scored(),
            totals.sequences(),
            accounting.rejected(),
            accounting.balanced(),
            config.incremental(),
            inputs.unchanged(),
            clock.laps());
    OutputTables.appendRun(spark, run, output);
    if (!accounting.balanced()) {
      throw new IllegalStateException(
          "Accounting failed for run "
              + runId
              + ": rows read != scored + rejected for "
              + String.join(", ", accounting.unbalanced())
              + " (the tables are written and runs/ marks the run failed; please report this)");
    }
    return new RunResult(run, corpus);
  }

  /**
   * The keys of the partitions this run replaces: every input file it read, spelled both ways the
   * job meets a path (as listed, and as the rows' {@code source_file}).
   */
  private static Set<String> fileKeys(List<String> files, RunTotals totals) {
    Set<String> keys = new TreeSet<>();
    files.forEach(f -> keys.add(FileKeys.ofListed(f)));
    totals.files().keySet().forEach(f -> keys.add(FileKeys.ofFilePath(f)));
    return keys;
  }

  /**
   * The group totals of {@code corpus/}: this run's, when its files are all that {@code sequences/}
   * holds; else recomputed from every stored row, since other files' rows (of earlier runs) may
   * share the run's groups.
   */
  private static List<GroupTotals> corpusTotals(
      SparkSession spark, String output, StagedRun staged, Set<String> keys, RunTotals totals) {
    Set<String> others = new TreeSet<>(staged.liveKeys(OutputTables.SEQUENCES));
    others.removeAll(keys);
    if (others.isEmpty()) {
      return totals.groups();
    }
    spark.sparkContext().setJobDescription("recompute corpus/ from sequences/");
    return StoredTotals.of(spark.read().parquet(OutputTables.path(output, OutputTables.SEQUENCES)))
        .groups();
  }

  /**
   * {@code rejected/}: the rows the scoring pass counted as rejected, with their messages. Only the
   * files that had rejected rows are read again; a clean run writes an empty table.
   */
  private static void writeRejected(
      SparkSession spark,
      ShardScan scoring,
      LogitsScoring logits,
      ScoreRequest request,
      ColumnNames labels,
      RunTotals totals,
      StagedRun staged) {
    List<String> files = new ArrayList<>();
    totals
        .files()
        .forEach(
            (file, counts) -> {
              if (counts.rejected() > 0) {
                files.add(file);
              }
            });
    if (files.isEmpty()) {
      return;
    }
    if (logits != null) {
      staged.write(
          frame(spark, logits.rejected(), OutputTables.REJECTED_SCHEMA), OutputTables.REJECTED);
      return;
    }
    var config = request.config();
    ShardScan scan = scoring.onlyFiles(files);
    PartitionScorer messages =
        new PartitionScorer(
            scan.columns(),
            labels,
            config.positiveLogprobTolerance(),
            request.runId(),
            PartitionScorer.Emit.REJECTED,
            null);
    staged.write(
        frame(spark, scan.batches().mapPartitions(messages), OutputTables.REJECTED_SCHEMA),
        OutputTables.REJECTED);
  }

  /** Waits for a write; its failure is rethrown as it was thrown. */
  private static void await(CompletableFuture<Void> write) {
    try {
      write.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** A DataFrame over rows the job built itself, without converting them from external rows. */
  private static Dataset<Row> frame(
      SparkSession spark, JavaRDD<InternalRow> rows, StructType schema) {
    return ((org.apache.spark.sql.classic.SparkSession) spark)
        .internalCreateDataFrame(rows.rdd(), schema, false);
  }

  /**
   * Rows per file from the Parquet footers (independent of the scoring pass), reconciled with its
   * counts.
   */
  private static Accounting account(SparkSession spark, List<String> files, RunTotals totals) {
    var hadoop = spark.sparkContext().hadoopConfiguration();
    Map<String, RunTotals.FileCounts> outcome = new TreeMap<>();
    totals
        .files()
        .forEach((file, counts) -> outcome.put(InputFiles.qualified(file, hadoop), counts));
    return Accounting.reconcile(InputFiles.describe(files, hadoop), outcome);
  }

  /**
   * What a run reads: the scan, the input files it scores (as Spark lists them) and, in incremental
   * mode, those it leaves out because an earlier run scored them as they are.
   */
  private record Inputs(ShardScan scan, List<String> files, List<String> unchanged) {
    static Inputs of(SparkSession spark, ShardScan listed, String output, boolean incremental) {
      if (!incremental) {
        return new Inputs(listed, listed.files(), List.of());
      }
      IncrementalInputs split = IncrementalInputs.split(spark, output, listed.files());
      if (split.changed().isEmpty()) {
        // Nothing to read: the scan is never run (Spark would plan it away).
        return new Inputs(listed, List.of(), split.unchanged());
      }
      return new Inputs(
          listed.onlyFiles(split.changedAsFilePaths()), split.changed(), split.unchanged());
    }
  }

  /** Wall time per stage of a run, in seconds, for {@code runs/}. */
  private static final class StageClock {
    private final Map<String, Double> laps = new java.util.LinkedHashMap<>();
    private long last = System.nanoTime();

    void lap(String stage) {
      long now = System.nanoTime();
      laps.put(stage, (now - last) / 1e9);
      last = now;
    }

    Map<String, Double> laps() {
      return laps;
    }
  }
}
