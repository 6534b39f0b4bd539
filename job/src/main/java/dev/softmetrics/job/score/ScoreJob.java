package dev.softmetrics.job.score;

import dev.softmetrics.job.Versions;
import dev.softmetrics.job.aggregate.Accounting;
import dev.softmetrics.job.aggregate.CorpusAggregation;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.aggregate.RunTotals;
import dev.softmetrics.job.io.CheckedInput;
import dev.softmetrics.job.io.InputCheck;
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
 * One scoring run: checks the input's footers and schemas, reads the shards, scores every row,
 * writes {@code sequences/}, {@code rejected/}, {@code corpus/} and finally the {@code runs/} row,
 * after checking that every row read was scored or rejected and that not too many were rejected.
 */
public final class ScoreJob {
  private ScoreJob() {}

  /**
   * Runs the job on a session the caller owns.
   *
   * @throws IllegalArgumentException for bad input that stops the whole run (missing path, wrong
   *     schema, unreadable file, a bad row under {@code validation.on-bad-row = fail}, more
   *     rejected rows than {@code validation.max-rejected-fraction} allows)
   * @throws IllegalStateException when the accounting does not hold; the tables are written, the
   *     run marked failed
   */
  public static RunResult run(SparkSession spark, ScoreRequest request) {
    Instant started = Instant.now();
    var config = request.config();
    ShardScan.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
    try {
      CheckedInput input =
          InputCheck.run(
              spark,
              request.inputs(),
              config.columns(),
              config.format(),
              config.skipCorruptFiles());
      try (ScoringPass pass = ScoringPass.run(spark, request, input)) {
        return finish(spark, request, pass, started);
      }
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /** Everything after the scoring pass: rejected/, corpus/, the accounting and runs/. */
  private static RunResult finish(
      SparkSession spark, ScoreRequest request, ScoringPass pass, Instant started) {
    var config = request.config();
    String output = request.output();
    String runId = request.runId();
    RunTotals totals = pass.totals();
    List<CorpusRow> corpus = CorpusAggregation.rows(totals.groups(), config.flags());
    // rejected/ (a Spark job when rows were rejected) and corpus/ are independent, so they
    // overlap. runs/ comes last, once both are done.
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try {
      CompletableFuture<Void> rejectedWrite =
          CompletableFuture.runAsync(
              () -> {
                spark.sparkContext().setJobDescription("write rejected/");
                writeRejected(spark, pass, request.output(), totals);
              },
              writers);
      CompletableFuture<Void> corpusWrite =
          CompletableFuture.runAsync(
              () -> {
                spark.sparkContext().setJobDescription("write corpus/");
                OutputTables.writeCorpus(spark, corpus, output, runId);
              },
              writers);
      await(rejectedWrite);
      await(corpusWrite);
    } finally {
      writers.shutdownNow();
    }
    Accounting accounting = account(spark, pass.input(), totals);
    String tooManyRejected =
        config.rowPolicy().tooManyRejected(accounting.rejected(), accounting.rowsRead());
    spark.sparkContext().setJobDescription("write runs/");
    RunRecord run =
        new RunRecord(
            runId,
            started,
            Instant.now(),
            status(accounting, tooManyRejected),
            pass.layout().toString(),
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
            pass.input().skipped());
    OutputTables.appendRun(spark, run, output);
    if (!accounting.balanced()) {
      throw new IllegalStateException(
          "Accounting failed for run "
              + runId
              + ": rows read != scored + rejected for "
              + String.join(", ", accounting.unbalanced())
              + " (the tables are written and runs/ marks the run failed; please report this)");
    }
    if (tooManyRejected != null) {
      throw new IllegalArgumentException(
          "Too many bad rows in run "
              + runId
              + ": "
              + tooManyRejected
              + "; rejected/ lists them with their reasons, and runs/ marks the run failed");
    }
    return new RunResult(run, corpus);
  }

  /** The run's status in runs/: succeeded, or failed and why. */
  private static String status(Accounting accounting, String tooManyRejected) {
    if (!accounting.balanced()) {
      return "failed: accounting";
    }
    return tooManyRejected == null ? "succeeded" : "failed: " + tooManyRejected;
  }

  /**
   * {@code rejected/}: the rows the scoring pass counted as rejected, with their messages. Only the
   * files that had rejected rows are read again; a clean run writes an empty table.
   */
  private static void writeRejected(
      SparkSession spark, ScoringPass pass, String output, RunTotals totals) {
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
      OutputTables.writeNoRejected(spark, output);
      return;
    }
    OutputTables.replace(
        frame(spark, pass.rejectedRows(files), OutputTables.REJECTED_SCHEMA),
        output,
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
  static Dataset<Row> frame(SparkSession spark, JavaRDD<InternalRow> rows, StructType schema) {
    return ((org.apache.spark.sql.classic.SparkSession) spark)
        .internalCreateDataFrame(rows.rdd(), schema, false);
  }

  /**
   * Rows per file from the Parquet footers read before the scan (independent of the scoring pass),
   * reconciled with its counts.
   */
  private static Accounting account(SparkSession spark, CheckedInput input, RunTotals totals) {
    var hadoop = spark.sparkContext().hadoopConfiguration();
    Map<String, RunTotals.FileCounts> outcome = new TreeMap<>();
    totals
        .files()
        .forEach((file, counts) -> outcome.put(InputFiles.qualified(file, hadoop), counts));
    return Accounting.reconcile(input.files(), outcome);
  }
}
