package dev.softmetrics.job.score;

import dev.softmetrics.job.aggregate.BootstrapDraw;
import dev.softmetrics.job.aggregate.PassAccumulator;
import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.config.BootstrapConfig;
import dev.softmetrics.job.config.InputFormat;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.io.CheckedInput;
import dev.softmetrics.job.io.InputFiles;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.output.SequenceFiles;
import dev.softmetrics.job.output.StagedRun;
import dev.softmetrics.job.progress.ProgressReporter;
import dev.softmetrics.job.score.batch.CandidateKey;
import dev.softmetrics.job.score.batch.DuplicateCopies;
import dev.softmetrics.job.score.batch.PartitionScorer;
import dev.softmetrics.job.tables.Tables;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * The scoring pass of a run: scans the checked input, scores every row, writes {@code sequences/}
 * and collects the run's totals. Two things can make it score again: a file whose data turns out
 * unreadable (with {@code read.skip-corrupt-files} it is skipped whole and the pass starts over
 * without it; otherwise the run fails naming it), and duplicate sequences (found from the key
 * hashes of the first pass, then written again with the copies rejected, so that no table counts
 * them). A run without either scores once.
 */
final class ScoringPass implements AutoCloseable {
  private final SparkSession spark;
  private final ScoreRequest request;
  private final CheckedInput input;
  private final ShardScan scan;
  private final LogitsScoring logits;
  private final StagedRun staged;
  private PassTotals totals;
  private DuplicateCopies duplicates = DuplicateCopies.NONE;
  private Set<String> otherStored;

  private ScoringPass(
      SparkSession spark, ScoreRequest request, CheckedInput input, StagedRun staged) {
    this.spark = spark;
    this.request = request;
    this.input = input;
    this.staged = staged;
    JobConfig config = request.config();
    // With nothing to score (incremental mode, nothing changed) there is no scan: Spark would
    // plan it away.
    this.scan =
        input.files().isEmpty()
            ? null
            : ShardScan.open(
                spark,
                input,
                config.columns(),
                config.batchRows(),
                config.logitsBatchRows(),
                config.logprobPages(),
                config.logitsPages());
    this.logits =
        scan != null && input.layout() == InputFormat.LOGITS
            ? new LogitsScoring(
                scan,
                input.files().stream().mapToLong(InputFiles.InputFile::rows).sum(),
                config.logitsChunksPerTask(),
                config.columns(),
                request.runId())
            : null;
  }

  /**
   * Scores the input and stages {@code sequences/} in {@code staged}; the caller closes the pass
   * once the other tables are written.
   *
   * @throws IllegalArgumentException for a file whose data cannot be read (unless skipped), and for
   *     the first bad row under {@code validation.on-bad-row = fail}
   */
  static ScoringPass run(
      SparkSession spark, ScoreRequest request, CheckedInput checked, StagedRun staged) {
    CheckedInput input = checked;
    while (true) {
      ScoringPass pass = new ScoringPass(spark, request, input, staged);
      try {
        pass.write(DuplicateCopies.NONE);
        DuplicateCopies found = DuplicateSearch.find(pass, pass.storedCopies());
        if (!found.isEmpty()) {
          pass.write(found);
        }
        return pass;
      } catch (Exception e) {
        // Spark throws its (checked) SparkException undeclared; rethrown as it is.
        pass.close();
        String file = ReadFailures.file(e);
        if (file == null) {
          throw e;
        }
        input =
            skipUnreadable(
                file, e, input, request.config(), spark.sparkContext().hadoopConfiguration());
      }
    }
  }

  /** One scoring of the input, rejecting {@code copies}; its totals replace the previous ones. */
  private void write(DuplicateCopies copies) {
    PassAccumulator accumulator = new PassAccumulator(draw());
    spark.sparkContext().register(accumulator, "softmetrics run totals");
    spark.sparkContext().setJobDescription(ProgressReporter.INPUT_SCAN);
    ProgressReporter.describeInput(
        spark.sparkContext(),
        input.files().stream().mapToLong(InputFiles.InputFile::rows).sum(),
        input.files().stream().mapToLong(InputFiles.InputFile::bytes).sum());
    PartitionScorer.RowChecks checks = checks(copies, null);
    StructType schema =
        Tables.withExtraLabels(Tables.SEQUENCES, request.config().columns().extraLabels()).schema();
    List<SequenceFiles.Written> written = null;
    try {
      if (scan != null && logits == null) {
        // The log-prob layout: the scoring tasks write their rows themselves (SequenceFiles).
        SequenceFiles files = staged.sequenceFiles(schema);
        written =
            staged.writeSequences(
                files,
                scan.batches()
                    .mapPartitions(
                        scorer(PartitionScorer.Emit.SCORED, accumulator, checks).writing(files)));
      } else {
        // The logits layout's sequences come out of a shuffle, every input file's in every task:
        // Spark's writer keeps one file per file_key open in a task, then sorts.
        JavaRDD<InternalRow> scored =
            scan == null
                ? JavaSparkContext.fromSparkContext(spark.sparkContext()).emptyRDD()
                : logits.sequences(accumulator, checks);
        staged.write(ScoreJob.frame(spark, scored, schema), Tables.SEQUENCES.folder());
      }
    } finally {
      ProgressReporter.describeInput(spark.sparkContext(), null, null);
    }
    totals = accumulator.value();
    if (written != null) {
      Map<String, Long> scored = new TreeMap<>();
      totals.files().forEach((file, counts) -> scored.put(file, counts.scored()));
      SequenceFiles.checkRows(written, scored);
    }
    duplicates = copies;
  }

  /**
   * The rows of {@code rejected/}: from the persisted sequences in the logits layout, else by
   * scoring again the files that had rejected rows (only they), this time building the messages.
   */
  JavaRDD<InternalRow> rejectedRows(List<String> files) {
    PartitionScorer.RowChecks checks = checks(duplicates, null);
    if (logits != null) {
      return logits.rejected(checks);
    }
    return scan.onlyFiles(files)
        .batches()
        .mapPartitions(scorer(PartitionScorer.Emit.REJECTED, null, checks));
  }

  /**
   * The {@link CandidateKey} rows of every scored row of the logprobs layout whose key hash is
   * among {@code sortedCandidates}, from the files that scored one.
   */
  List<InternalRow> keysOf(long[] sortedCandidates) {
    PartitionScorer.RowChecks checks = checks(DuplicateCopies.NONE, sortedCandidates);
    spark.sparkContext().setJobDescription("look up duplicate candidates");
    return scan.onlyFiles(totals.filesWithKeys(sortedCandidates))
        .batches()
        .mapPartitions(scorer(PartitionScorer.Emit.KEYS, null, checks))
        .collect();
  }

  /**
   * The copies, in {@code sequences/}, of sequences this pass scored that earlier runs stored from
   * files this run does not replace.
   */
  private StoredCopies storedCopies() {
    Set<String> others = otherStoredKeys();
    // The common case, no other files stored: no sort of every key hash on the driver.
    return others.isEmpty()
        ? StoredCopies.NONE
        : StoredCopies.find(
            spark,
            request.output(),
            request.config().columns().extraLabels(),
            others,
            totals.allKeys());
  }

  /**
   * The bootstrap's draw when this run's sequences will be all of {@code sequences/} (no partition
   * stored for a file outside the input), so that the scoring tasks gather what the analysis needs
   * and it reads nothing back, up to {@code bootstrap.in-memory-sequences}; else null (the analysis
   * reads {@code sequences/}).
   */
  private BootstrapDraw draw() {
    Set<String> others = new TreeSet<>(staged.liveKeys(Tables.SEQUENCES.folder()));
    others.removeAll(ScoreJob.fileKeys(input, new PassTotals()));
    BootstrapConfig bootstrap = request.config().bootstrap();
    // What the driver may hold (bootstrap.in-memory-sequences): past it the tasks' samples are
    // dropped and the analysis reads sequences/ back; with 0, nothing is gathered.
    long limit = bootstrap.inMemoryLimit(Runtime.getRuntime().maxMemory());
    return others.isEmpty() && limit > 0
        ? new BootstrapDraw(bootstrap.seed(), bootstrap.replicates(), limit)
        : null;
  }

  /**
   * The {@code file_key} partitions of {@code sequences/} stored for files this run does not
   * replace (listed once; the run's commit does not change them).
   */
  Set<String> otherStoredKeys() {
    if (otherStored == null) {
      Set<String> others = new TreeSet<>(staged.liveKeys(Tables.SEQUENCES.folder()));
      others.removeAll(ScoreJob.fileKeys(input, totals));
      otherStored = others;
    }
    return otherStored;
  }

  private PartitionScorer.RowChecks checks(DuplicateCopies copies, long[] candidates) {
    return new PartitionScorer.RowChecks(
        request.config().rowPolicy().failOnBadRow(), copies, candidates);
  }

  private PartitionScorer scorer(
      PartitionScorer.Emit emit, PassAccumulator accumulator, PartitionScorer.RowChecks checks) {
    JobConfig config = request.config();
    return new PartitionScorer(
        scan.columns(),
        scan.logprobPages(),
        config.columns(),
        config.positiveLogprobTolerance(),
        request.runId(),
        emit,
        accumulator,
        checks);
  }

  /**
   * The input without {@code file}, which {@code failure} could not read, when the configuration
   * skips unreadable files.
   *
   * @throws IllegalArgumentException naming the file, when unreadable files are not skipped
   */
  private static CheckedInput skipUnreadable(
      String file, Exception failure, CheckedInput input, JobConfig config, Configuration hadoop) {
    String path = InputFiles.qualified(file, hadoop);
    String cause = ReadFailures.cause(failure);
    if (!config.skipCorruptFiles()) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot read input file %s: its footer is readable but its data is not (%s); rewrite"
                  + " or remove the file, or set read.skip-corrupt-files = true to skip such files"
                  + " and list them in runs/",
              path, cause),
          failure);
    }
    return input.skipping(path, "data not readable: " + cause);
  }

  boolean failsOnBadRow() {
    return request.config().rowPolicy().failOnBadRow();
  }

  CheckedInput input() {
    return input;
  }

  InputFormat layout() {
    return input.layout();
  }

  LogitsScoring logits() {
    return logits;
  }

  /** The totals of the last scoring, the one whose tables are written. */
  PassTotals totals() {
    return totals;
  }

  @Override
  public void close() {
    if (logits != null) {
      logits.close();
    }
  }
}
