package dev.softmetrics.job.score;

import dev.softmetrics.job.aggregate.CorpusAggregation;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.aggregate.GroupTotals;
import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.aggregate.PositionRow;
import dev.softmetrics.job.aggregate.PositionsAggregation;
import dev.softmetrics.job.aggregate.StoredGroupTotals;
import dev.softmetrics.job.analysis.ComparisonsTable;
import dev.softmetrics.job.analysis.SampledAnalysis;
import dev.softmetrics.job.analysis.SequenceBootstrap;
import dev.softmetrics.job.analysis.StoredSequences;
import dev.softmetrics.job.config.Versions;
import dev.softmetrics.job.io.CheckedInput;
import dev.softmetrics.job.io.InputCheck;
import dev.softmetrics.job.io.InputFiles;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.output.FileKeys;
import dev.softmetrics.job.output.OutputLock;
import dev.softmetrics.job.output.OutputTables;
import dev.softmetrics.job.output.ResultsFile;
import dev.softmetrics.job.output.RunRecord;
import dev.softmetrics.job.output.StagedRun;
import dev.softmetrics.job.tables.Tables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * One scoring run: checks the input's footers and schemas, reads the shards, scores every row,
 * stages {@code sequences/} and {@code rejected/}, commits them, writes {@code corpus/} (with
 * bootstrap intervals computed from the stored {@code sequences/}) and {@code comparisons/}, and
 * finally the {@code runs/} row, after checking that every row read was scored or rejected and that
 * not too many were rejected.
 */
public final class ScoreJob {
  private ScoreJob() {}

  /**
   * Runs the job on a session the caller owns.
   *
   * @throws IllegalArgumentException for bad input that stops the whole run (missing path, wrong
   *     schema, unreadable file, a bad row under {@code validation.on-bad-row = fail}, more
   *     rejected rows than {@code validation.max-rejected-fraction} allows), an output path that is
   *     a file, or an output folder whose lock another live run holds
   * @throws IllegalStateException also when the output folder is full or not writable (one line,
   *     {@link dev.softmetrics.job.output.WriteFailures}), or the run lost its lock
   * @throws IllegalStateException when the accounting does not hold; the tables are written, the
   *     run marked failed
   */
  public static RunResult run(SparkSession spark, ScoreRequest request) {
    Instant started = Instant.now();
    var config = request.config();
    ShardScan.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
    StagedRun.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
    String output = request.output();
    Consumer<String> log = line -> System.err.println("softmetrics: " + line);
    OutputPlacement.check(spark.sparkContext().hadoopConfiguration(), request.inputs(), output);
    // The lock comes first: incremental mode reads runs/, and recovery deletes staging folders.
    try (OutputLock lock =
        OutputLock.acquire(
            spark.sparkContext().hadoopConfiguration(),
            output,
            request.runId(),
            config.lockLease(),
            log)) {
      CheckedInput input =
          InputCheck.run(
              spark,
              request.inputs(),
              config.columns(),
              config.format(),
              config.inputFormat(),
              config.skipCorruptFiles());
      if (config.incremental()) {
        input = IncrementalInputs.leaveOutUnchanged(spark, output, input);
      }
      StagedRun staged = StagedRun.begin(spark, output, request.runId(), log);
      StoredExtraLabels.check(spark, output, staged, input, config.columns().extraLabels());
      try {
        StageClock clock = new StageClock();
        try (ScoringPass pass = ScoringPass.run(spark, request, input, staged)) {
          clock.lap("score");
          return finish(spark, request, new Run(pass, staged, lock, started, clock));
        }
      } finally {
        // A run that failed before committing leaves nothing; one that failed while committing
        // leaves its plan and runs/ row, which the next run into the folder completes.
        if (!staged.committed()) {
          staged.abandon();
        }
      }
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /** What {@link #finish} works on: the pass, the staging folder, the lock, the clock. */
  private record Run(
      ScoringPass pass, StagedRun staged, OutputLock lock, Instant started, StageClock clock) {}

  /**
   * Everything after the scoring pass: rejected/ and the accounting, the commit of the run's
   * partitions, corpus/ and runs/.
   */
  private static RunResult finish(SparkSession spark, ScoreRequest request, Run run) {
    var config = request.config();
    String output = request.output();
    String runId = request.runId();
    ScoringPass pass = run.pass();
    StagedRun staged = run.staged();
    StageClock clock = run.clock();
    PassTotals totals = pass.totals();
    ExecutorService writers = Executors.newFixedThreadPool(1);
    try {
      CompletableFuture<Void> rejectedWrite =
          CompletableFuture.runAsync(
              () -> {
                spark.sparkContext().setJobDescription("write rejected/");
                writeRejected(spark, pass, staged, totals);
              },
              writers);
      await(rejectedWrite);
    } finally {
      writers.shutdownNow();
    }
    Accounting accounting = account(spark, pass.input(), totals);
    String tooManyRejected =
        config.rowPolicy().tooManyRejected(accounting.rejected(), accounting.rowsRead());
    clock.lap("rejected_and_accounting");
    Set<String> keys = fileKeys(pass.input(), totals);
    String status = status(accounting, tooManyRejected);
    // The row a later run appends if this one stops between its commit and its runs/ row.
    Row left =
        OutputTables.runRow(
            record(spark, request, run, accounting, status + RunRecord.COMMITTED_LATER));
    run.lock().checkHeld();
    List<String> extraLabels = config.columns().extraLabels();
    staged.commit(
        keys,
        Tables.withExtraLabels(Tables.SEQUENCES, extraLabels).schema(),
        Tables.REJECTED.schema(),
        left);
    clock.lap("commit");
    List<GroupTotals> groupTotals = corpusTotals(spark, output, pass, totals, extraLabels);
    List<CorpusRow> groups = CorpusAggregation.rows(groupTotals, config.flags());
    List<PositionRow> positions = PositionsAggregation.rows(groupTotals);
    // Intervals and comparisons cover every stored sequence, of this run and of earlier ones: from
    // what the scoring tasks gathered when the run's sequences are all there is, else read back.
    spark.sparkContext().setJobDescription("bootstrap, write corpus/ and comparisons/");
    SequenceBootstrap.Result analysis =
        totals.sampled() && pass.otherStoredKeys().isEmpty()
            ? SampledAnalysis.compute(totals.samples(), config.bootstrap())
            : SequenceBootstrap.compute(
                StoredSequences.all(spark, output, extraLabels), extraLabels, config.bootstrap());
    List<CorpusRow> corpus = analysis.attachTo(groups);
    List<ResultsFile.TableRows> written =
        writeCorpusAndComparisons(spark, output, runId, corpus, analysis, extraLabels);
    OutputTables.writePositions(spark, positions, output, runId, extraLabels);
    clock.lap("corpus_and_comparisons");
    spark.sparkContext().setJobDescription("write runs/");
    RunRecord record = record(spark, request, run, accounting, status);
    Row runRow = OutputTables.runRow(record);
    staged.appendRun(runRow);
    // Last, still under the lock: the file says what the tables now hold.
    ResultsFile.write(
        spark.sparkContext().hadoopConfiguration(),
        output,
        written.get(0),
        written.get(1),
        new ResultsFile.TableRows(Tables.RUNS.schema(), List.of(runRow)));
    staged.close();
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
    return new RunResult(record, corpus, analysis.comparisons());
  }

  /**
   * corpus/ and comparisons/: two small files from the driver, side by side; returns the rows of
   * each, in that order.
   */
  private static List<ResultsFile.TableRows> writeCorpusAndComparisons(
      SparkSession spark,
      String output,
      String runId,
      List<CorpusRow> corpus,
      SequenceBootstrap.Result analysis,
      List<String> extraLabels) {
    // Each is mostly a Parquet writer's set-up.
    ExecutorService tables = Executors.newFixedThreadPool(1);
    try {
      CompletableFuture<List<Row>> comparisonsWrite =
          CompletableFuture.supplyAsync(
              () ->
                  ComparisonsTable.write(spark, analysis.comparisons(), output, runId, extraLabels),
              tables);
      List<Row> corpusRows;
      try {
        corpusRows = OutputTables.writeCorpus(spark, corpus, output, runId, extraLabels);
      } finally {
        // Even when corpus/ failed: the comparisons' write must not outlive the run.
        CompletableFuture.allOf(comparisonsWrite).exceptionally(e -> null).join();
      }
      List<Row> comparisonRows = await(comparisonsWrite);
      return List.of(
          new ResultsFile.TableRows(
              Tables.withExtraLabels(Tables.CORPUS, extraLabels).schema(), corpusRows),
          new ResultsFile.TableRows(
              Tables.withExtraLabels(Tables.COMPARISONS, extraLabels).schema(), comparisonRows));
    } finally {
      tables.shutdownNow();
    }
  }

  /** The run's row of runs/, ended now, with {@code status}. */
  private static RunRecord record(
      SparkSession spark, ScoreRequest request, Run run, Accounting accounting, String status) {
    var config = request.config();
    CheckedInput input = run.pass().input();
    return new RunRecord(
        request.runId(),
        run.started(),
        Instant.now(),
        status,
        run.pass().layout().toString(),
        request.inputs(),
        accounting.files(),
        config.rendered(),
        Versions.softmetrics(),
        spark.version(),
        System.getProperty("java.version"),
        spark.sparkContext().master(),
        accounting.rowsRead(),
        accounting.scored(),
        run.pass().totals().sequences(),
        accounting.rejected(),
        accounting.balanced(),
        config.incremental(),
        input.unchanged(),
        run.clock().laps(),
        input.skipped());
  }

  /** The run's status in runs/: succeeded, or failed and why. */
  private static String status(Accounting accounting, String tooManyRejected) {
    if (!accounting.balanced()) {
      return "failed: accounting";
    }
    return tooManyRejected == null ? RunRecord.SUCCEEDED : "failed: " + tooManyRejected;
  }

  /**
   * The keys of the partitions this run replaces: every input file it scored, spelled both ways the
   * job meets a path (qualified from the footers, and as the rows' {@code source_file}).
   */
  static Set<String> fileKeys(CheckedInput input, PassTotals totals) {
    Set<String> keys = new TreeSet<>();
    input.files().forEach(f -> keys.add(FileKeys.ofQualified(f.path())));
    totals.files().keySet().forEach(f -> keys.add(FileKeys.ofFilePath(f)));
    return keys;
  }

  /**
   * The group totals of {@code corpus/}: this run's, when its files are all that {@code sequences/}
   * holds; else recomputed from every stored row, since other files' rows (of earlier runs) may
   * share the run's groups.
   */
  private static List<GroupTotals> corpusTotals(
      SparkSession spark,
      String output,
      ScoringPass pass,
      PassTotals totals,
      List<String> extraLabels) {
    if (pass.otherStoredKeys().isEmpty()) {
      return totals.groups();
    }
    spark.sparkContext().setJobDescription("recompute corpus/ from sequences/");
    return StoredGroupTotals.of(StoredSequences.all(spark, output, extraLabels), extraLabels)
        .groups();
  }

  /**
   * {@code rejected/}: the rows the scoring pass counted as rejected, with their messages, staged.
   * Only the files that had rejected rows are read again.
   */
  private static void writeRejected(
      SparkSession spark, ScoringPass pass, StagedRun staged, PassTotals totals) {
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
    staged.write(
        frame(spark, pass.rejectedRows(files), Tables.REJECTED.schema()), Tables.REJECTED.folder());
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
  static Dataset<Row> frame(SparkSession spark, JavaRDD<InternalRow> rows, StructType schema) {
    return ((org.apache.spark.sql.classic.SparkSession) spark)
        .internalCreateDataFrame(rows.rdd(), schema, false);
  }

  /**
   * Rows per file from the Parquet footers read before the scan (independent of the scoring pass),
   * reconciled with its counts.
   */
  private static Accounting account(SparkSession spark, CheckedInput input, PassTotals totals) {
    var hadoop = spark.sparkContext().hadoopConfiguration();
    Map<String, PassTotals.FileCounts> outcome = new TreeMap<>();
    totals
        .files()
        .forEach((file, counts) -> outcome.put(InputFiles.qualified(file, hadoop), counts));
    return Accounting.reconcile(input.files(), outcome);
  }

  /** Wall time per stage of a run, in seconds, for {@code runs/}. */
  private static final class StageClock {
    private final Map<String, Double> laps = new LinkedHashMap<>();
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
