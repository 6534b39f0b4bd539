package dev.softmetrics.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.softmetrics.udfs.corpus.CorpusFlags;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The job's effective configuration, validated once.
 *
 * <p>Precedence, highest first: {@code --set key=value} on the command line, then the file given
 * with {@code --conf}, then {@code reference.conf} inside the jar. Keys are relative to {@code
 * softmetrics} ({@code columns.model=llm}); a key that starts with {@code spark.} is a Spark
 * setting and lands in {@link #sparkConf()}. The options {@code --format} and {@code --incremental}
 * are {@code --set} pairs that come last (the command refuses them against a {@code --set} of the
 * same key with another value).
 *
 * <p>Every other key must be one that {@code reference.conf} defines, and every value of the type
 * its key reads ({@link SettingKeys}, {@link SettingValues}): a typo is refused, not ignored while
 * the default applies.
 *
 * @param format the input layout, or auto-detection
 * @param columns where each input column is found
 * @param positiveLogprobTolerance log-probs above 0 by more than this are rejected
 * @param batchRows rows per columnar batch read from Parquet (logprobs layout)
 * @param logitsBatchRows rows per columnar batch of the logits layout
 * @param logitsChunksPerTask chunk rows per task of the logits layout's second stage, which
 *     assembles each sequence from its chunks and writes {@code sequences/}
 * @param inputFormat Parquet or JSON Lines, or auto-detection by file name
 * @param skipCorruptFiles skip input files that cannot be read (listed in {@code runs/}) instead of
 *     failing
 * @param logprobPages the scoring tasks decode the log-prob column of Parquet input from its pages
 *     themselves; false: Spark's vectorized reader reads it (same results, slower)
 * @param logitsPages the scoring tasks decode the binary logits columns of Parquet input from their
 *     pages themselves; false: Spark's vectorized reader reads them (same results, slower)
 * @param rowPolicy what a bad row does to the run
 * @param flags thresholds of the corpus flags
 * @param bootstrap the bootstrap behind the confidence intervals
 * @param progressAfter runs longer than this print progress lines
 * @param progressInterval time between progress lines
 * @param summaryMaxRows rows of the printed summary table
 * @param incremental score only the input files that no earlier run into the output folder scored
 *     as they are now
 * @param lockLease how long the output folder's lock outlives its last renewal (a killed run's lock
 *     blocks other runs on other hosts this long)
 * @param sparkConf Spark settings applied to an embedded session (and to the run's SQL settings)
 * @param rendered the effective {@code softmetrics} block as JSON, for logs and the {@code runs/}
 *     table
 */
public record JobConfig(
    InputFormat format,
    ColumnNames columns,
    double positiveLogprobTolerance,
    int batchRows,
    int logitsBatchRows,
    long logitsChunksPerTask,
    InputFileFormat inputFormat,
    boolean skipCorruptFiles,
    boolean logprobPages,
    boolean logitsPages,
    RowPolicy rowPolicy,
    CorpusFlags flags,
    BootstrapConfig bootstrap,
    Duration progressAfter,
    Duration progressInterval,
    int summaryMaxRows,
    boolean incremental,
    Duration lockLease,
    Map<String, String> sparkConf,
    String rendered) {

  public JobConfig {
    if (!(positiveLogprobTolerance >= 0) || Double.isInfinite(positiveLogprobTolerance)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid validation.positive-logprob-tolerance: %s (must be finite and >= 0)",
              positiveLogprobTolerance));
    }
    if (batchRows < 1) {
      throw new IllegalArgumentException(
          String.format("Invalid read.batch-rows: %d (must be >= 1)", batchRows));
    }
    if (logitsBatchRows < 1) {
      throw new IllegalArgumentException(
          String.format("Invalid read.logits-batch-rows: %d (must be >= 1)", logitsBatchRows));
    }
    if (logitsChunksPerTask < 1) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid read.logits-chunks-per-task: %d (must be >= 1)", logitsChunksPerTask));
    }
    if (progressAfter.isNegative()) {
      throw new IllegalArgumentException(
          String.format("Invalid progress.after: %s (must be >= 0)", progressAfter));
    }
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new IllegalArgumentException(
          String.format("Invalid progress.interval: %s (must be > 0)", progressInterval));
    }
    if (summaryMaxRows < 1) {
      throw new IllegalArgumentException(
          String.format("Invalid summary.max-rows: %d (must be >= 1)", summaryMaxRows));
    }
    if (lockLease.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          String.format("Invalid output.lock-lease: %s (must be >= 1s)", lockLease));
    }
    sparkConf = Map.copyOf(sparkConf);
  }

  /** The defaults of {@code reference.conf} alone. */
  public static JobConfig defaults() {
    return load(null, List.of());
  }

  /**
   * Loads the configuration.
   *
   * @param file a HOCON file ({@code --conf}), or null
   * @param overrides {@code key=value} pairs ({@code --set}), applied in order
   */
  public static JobConfig load(File file, List<String> overrides) {
    return fromLocation(file == null ? null : file.getPath(), overrides);
  }

  /**
   * Loads the configuration from a {@code --conf} given as text, which may be a URI.
   *
   * @param location the {@code --conf} file as a local path or a Hadoop URI ({@code hdfs://...},
   *     {@code s3a://...}, {@code file:/...}), or null
   * @param overrides {@code key=value} pairs ({@code --set}), applied in order
   */
  public static JobConfig fromLocation(String location, List<String> overrides) {
    Config base = ConfigFactory.defaultReference(JobConfig.class.getClassLoader());
    try {
      Config site = location == null ? ConfigFactory.empty() : SettingLayers.file(location);
      Config set = SettingLayers.overrides(overrides);
      Config merged =
          flatSparkKeys(set)
              .withFallback(flatSparkKeys(site))
              .withFallback(flatSparkKeys(base))
              .resolve();
      new SettingKeys(base.getObject("softmetrics")).check(merged.getObject("softmetrics"));
      return from(new SettingValues(merged.getConfig("softmetrics")));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  private static JobConfig from(SettingValues c) {
    return new JobConfig(
        InputFormat.parse(c.text("format")),
        ColumnNames.from(c),
        c.number("validation.positive-logprob-tolerance"),
        c.wholeInt("read.batch-rows"),
        c.wholeInt("read.logits-batch-rows"),
        c.wholeLong("read.logits-chunks-per-task"),
        InputFileFormat.parse(c.text("read.input-format")),
        c.bool("read.skip-corrupt-files"),
        c.bool("read.logprob-pages"),
        c.bool("read.logits-pages"),
        new RowPolicy(
            RowPolicy.failOnBadRow(c.text("validation.on-bad-row")),
            c.number("validation.max-rejected-fraction")),
        new CorpusFlags(
            c.number("flags.entropy-collapse-below"),
            c.number("flags.uniform-fraction-of-ln-v"),
            c.number("flags.kl-warning-above"),
            c.number("flags.kl-alarm-above")),
        new BootstrapConfig(
            c.wholeInt("bootstrap.replicates"),
            c.wholeLong("bootstrap.seed"),
            c.number("bootstrap.confidence"),
            BootstrapConfig.parseInMemorySequences(c.text("bootstrap.in-memory-sequences"))),
        c.duration("progress.after"),
        c.duration("progress.interval"),
        c.wholeInt("summary.max-rows"),
        c.bool("incremental"),
        c.duration("output.lock-lease"),
        c.sparkSettings(),
        c.rendered());
  }

  /**
   * The {@code softmetrics.spark} block of one layer with every setting under its full Spark name
   * as one quoted key: {@code spark { sql.shuffle.partitions = 3 }}, {@code
   * spark.sql.shuffle.partitions = 3} at the top of a file and {@code
   * "spark.sql.shuffle.partitions" = 3} all become the same key, so that the layers' precedence
   * decides between them.
   */
  private static Config flatSparkKeys(Config layer) {
    if (!layer.hasPath("softmetrics.spark")
        || layer.getValue("softmetrics.spark").valueType() != ConfigValueType.OBJECT) {
      return layer;
    }
    Config flat = ConfigFactory.empty();
    for (Map.Entry<String, ConfigValue> e : layer.getConfig("softmetrics.spark").entrySet()) {
      String key = String.join(".", ConfigUtil.splitPath(e.getKey()));
      if (!key.startsWith("spark.")) {
        key = "spark." + key;
      }
      flat = flat.withValue(ConfigUtil.joinPath("softmetrics", "spark", key), e.getValue());
    }
    return flat.withFallback(layer.withoutPath("softmetrics.spark"));
  }
}
