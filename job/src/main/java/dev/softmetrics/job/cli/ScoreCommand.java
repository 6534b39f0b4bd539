package dev.softmetrics.job.cli;

import dev.softmetrics.job.config.HadoopConnectors;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.config.Versions;
import dev.softmetrics.job.progress.ProgressReporter;
import dev.softmetrics.job.report.RunSummary;
import dev.softmetrics.job.score.RunResult;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code softmetrics score}: scores shards into the output tables and prints the summary. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description =
        "Score Parquet or JSON Lines files of model outputs and write sequences/, corpus/,"
            + " rejected/, runs/.")
public final class ScoreCommand implements Callable<Integer> {
  @Option(
      names = "--input",
      required = true,
      split = ",",
      paramLabel = "URI",
      description =
          "Parquet or JSON Lines files, folders, globs or Hadoop URIs (comma-separated,"
              + " repeatable).")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output folder.")
  String output;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "auto (default), logprobs or logits.")
  String format;

  @Option(
      names = "--input-format",
      paramLabel = "FORMAT",
      description =
          "auto (default: by file name, .jsonl/.json[.gz] are JSON Lines), parquet or jsonl.")
  String inputFormat;

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "HOCON configuration file: a local path or a Hadoop URI (hdfs://, s3a://...).")
  String conf;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: local[*], or what spark-submit set).")
  String master;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "Run id: 1 to 128 of A-Z a-z 0-9 . _ : + - (default: UTC time + random).")
  String runId;

  @Option(
      names = "--incremental",
      description =
          "Score only the input files that no earlier run into --output scored as they are now"
              + " (path, size, modification time); recompute corpus/ over all stored sequences.")
  boolean incremental;

  @Option(
      names = "--verbose",
      description =
          "Print the resolved configuration (as runs/ records it in its configuration column) before"
              + " the run.")
  boolean verbose;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Configuration override, repeatable; spark.* keys go to Spark.")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    ScoreRequest.requirePaths(inputs, output);
    JobConfig config = JobConfig.fromLocation(conf, settings());
    Configuration hadoop = HadoopConnectors.hadoopConfiguration(config.sparkConf());
    for (String input : inputs) {
      HadoopConnectors.require(input, "read", hadoop);
    }
    HadoopConnectors.require(output, "write", hadoop);
    String id = runId != null ? runId : newRunId();
    return run(new ScoreRequest(inputs, output, id, config), master, verbose);
  }

  /**
   * The {@code --set} pairs, then what {@code --format}, {@code --input-format} and {@code
   * --incremental} say (they win, as the last pairs); a {@code --set} of the same key with another
   * value is refused rather than silently overridden.
   */
  private List<String> settings() {
    List<String> all = new ArrayList<>(overrides);
    if (format != null) {
      refuseConflict("format", format, "--format " + format, "the format");
      all.add("format=" + format);
    }
    if (inputFormat != null) {
      refuseConflict(
          "read.input-format", inputFormat, "--input-format " + inputFormat, "the input format");
      all.add("read.input-format=" + inputFormat);
    }
    if (incremental) {
      refuseConflict("incremental", "true", "--incremental", "it");
      all.add("incremental=true");
    }
    return all;
  }

  private void refuseConflict(String key, String value, String option, String what) {
    for (String pair : overrides) {
      int eq = pair.indexOf('=');
      String setKey = eq <= 0 ? "" : pair.substring(0, eq).trim();
      if ((setKey.equals(key) || setKey.equals("softmetrics." + key))
          && !pair.substring(eq + 1).trim().equalsIgnoreCase(value.trim())) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot use %s with --set %s: they disagree (give %s once)", option, pair, what));
      }
    }
  }

  /**
   * Runs a request on a new session and prints the summary; {@code verbose} prints the resolved
   * configuration first.
   */
  static int run(ScoreRequest request, String master, boolean verbose) {
    if (verbose) {
      printConfiguration(request.config());
    }
    SparkSession spark = Sessions.open(master, request.config());
    try {
      runOn(spark, request);
      return 0;
    } finally {
      spark.stop();
    }
  }

  /**
   * Runs the job on a session the caller owns, with progress lines, and prints the summary; shared
   * with the demo module's {@code demo}.
   */
  public static RunResult runOn(SparkSession spark, ScoreRequest request) {
    try (ProgressReporter progress =
        ProgressReporter.start(
            spark.sparkContext(),
            System.err,
            request.config().progressAfter(),
            request.config().progressInterval())) {
      RunResult result = ScoreJob.run(spark, request);
      RunSummary.print(
          System.out,
          result.corpus(),
          result.comparisons(),
          request.config().columns().extraLabels(),
          result.run(),
          request.output(),
          request.config().summaryMaxRows());
      return result;
    }
  }

  /**
   * The one-line resolved configuration on stderr, for {@code --verbose}; {@code runs/} keeps it in
   * every run's {@code configuration} column either way. Shared with the demo module's {@code
   * demo}.
   */
  public static void printConfiguration(JobConfig config) {
    System.err.println("softmetrics: configuration " + config.rendered());
  }

  /** A new run id: the UTC time to the second, a dash, six random hex digits. */
  public static String newRunId() {
    return ZonedDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT))
        + "-"
        + UUID.randomUUID().toString().substring(0, 6);
  }
}
