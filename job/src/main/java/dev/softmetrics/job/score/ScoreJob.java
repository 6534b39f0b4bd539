package dev.softmetrics.job.score;

import dev.softmetrics.job.Versions;
import dev.softmetrics.job.aggregate.Accounting;
import dev.softmetrics.job.aggregate.CorpusAggregation;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.aggregate.RunAccumulator;
import dev.softmetrics.job.aggregate.RunTotals;
import dev.softmetrics.job.analysis.ComparisonsTable;
import dev.softmetrics.job.analysis.SequenceBootstrap;
import dev.softmetrics.job.analysis.StoredSequences;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.config.InputFormat;
import dev.softmetrics.job.io.InputFiles;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.output.OutputTables;
import dev.softmetrics.job.output.RunRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * One scoring run: reads the shards, scores every row, writes {@code sequences/}, {@code
 * rejected/}, {@code corpus/} (with bootstrap intervals computed from the written {@code
 * sequences/}), {@code comparisons/} and finally the {@code runs/} row, after checking that every
 * row read was scored or rejected.
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
      ShardScan scan =
          ShardScan.open(
              spark,
              request.inputs(),
              names,
              config.format(),
              config.batchRows(),
              config.logitsBatchRows());
      RunAccumulator accumulator = new RunAccumulator();
      spark.sparkContext().register(accumulator, "softmetrics run totals");
      spark.sparkContext().setJobDescription("score and write sequences/");
      LogitsScoring logits =
          scan.layout() == InputFormat.LOGITS ? new LogitsScoring(scan, names, runId) : null;
      try {
        JavaRDD<InternalRow> scored =
            logits != null
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
        OutputTables.replace(
            frame(spark, scored, OutputTables.SEQUENCES_SCHEMA), output, OutputTables.SEQUENCES);
        return finish(spark, request, scan, logits, accumulator.value(), started);
      } finally {
        if (logits != null) {
          logits.close();
        }
      }
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /** Everything after the scoring pass: rejected/, corpus/, the accounting and runs/. */
  private static RunResult finish(
      SparkSession spark,
      ScoreRequest request,
      ShardScan scan,
      LogitsScoring logits,
      RunTotals totals,
      Instant started) {
    var config = request.config();
    String output = request.output();
    String runId = request.runId();
    ColumnNames names = config.columns();
    List<CorpusRow> groups = CorpusAggregation.rows(totals.groups(), config.flags());
    // rejected/ (a Spark job when rows were rejected), the bootstrap with corpus/ and comparisons/,
    // and the footer counts are independent, so they overlap. runs/ comes last, once all are done.
    Accounting accounting;
    List<CorpusRow> corpus;
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try {
      CompletableFuture<Void> rejectedWrite =
          CompletableFuture.runAsync(
              () -> {
                spark.sparkContext().setJobDescription("write rejected/");
                writeRejected(spark, scan, logits, request, names, totals);
              },
              writers);
      CompletableFuture<List<CorpusRow>> analysisWrite =
          CompletableFuture.supplyAsync(
              () -> {
                spark.sparkContext().setJobDescription("bootstrap, write corpus/ and comparisons/");
                SequenceBootstrap.Result analysis =
                    SequenceBootstrap.compute(
                        StoredSequences.all(spark, output), config.bootstrap());
                List<CorpusRow> rows = analysis.attachTo(groups);
                OutputTables.writeCorpus(spark, rows, output, runId);
                ComparisonsTable.write(spark, analysis.comparisons(), output, runId);
                return rows;
              },
              writers);
      accounting = account(spark, scan, totals);
      await(rejectedWrite);
      corpus = await(analysisWrite);
    } finally {
      writers.shutdownNow();
    }
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
            accounting.balanced());
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
   * {@code rejected/}: the rows the scoring pass counted as rejected, with their messages. Only the
   * files that had rejected rows are read again; a clean run writes an empty table.
   */
  private static void writeRejected(
      SparkSession spark,
      ShardScan scoring,
      LogitsScoring logits,
      ScoreRequest request,
      ColumnNames labels,
      RunTotals totals) {
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
      OutputTables.writeNoRejected(spark, request.output());
      return;
    }
    if (logits != null) {
      OutputTables.replace(
          frame(spark, logits.rejected(), OutputTables.REJECTED_SCHEMA),
          request.output(),
          OutputTables.REJECTED);
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
    OutputTables.replace(
        frame(spark, scan.batches().mapPartitions(messages), OutputTables.REJECTED_SCHEMA),
        request.output(),
        OutputTables.REJECTED);
  }

  /** Waits for a write; its failure is rethrown as it was thrown. */
  private static <T> T await(CompletableFuture<T> write) {
    try {
      return write.join();
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
  private static Accounting account(SparkSession spark, ShardScan scan, RunTotals totals) {
    var hadoop = spark.sparkContext().hadoopConfiguration();
    Map<String, RunTotals.FileCounts> outcome = new TreeMap<>();
    totals
        .files()
        .forEach((file, counts) -> outcome.put(InputFiles.qualified(file, hadoop), counts));
    return Accounting.reconcile(InputFiles.describe(scan.files(), hadoop), outcome);
  }
}
