package dev.softmetrics.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

  @TempDir Path tmp;

  @Test
  void defaultsAreThoseOfReferenceConf() {
    JobConfig config = JobConfig.defaults();

    assertThat(config.format()).isEqualTo(InputFormat.AUTO);
    assertThat(config.columns())
        .isEqualTo(
            new ColumnNames(
                "sequence_id",
                "model",
                "tokenizer",
                "domain",
                "token_logprobs",
                "text",
                "num_bytes",
                "num_chars",
                "num_words",
                "token_entropies",
                "ref_logprobs",
                "top_logprobs",
                "vocab_size",
                "target_ids",
                "logits",
                "ref_logits",
                "logits_dtype",
                "first_position",
                List.of()));
    assertThat(config.columns().labels())
        .containsExactly("sequence_id", "model", "tokenizer", "domain");
    assertThat(config.positiveLogprobTolerance()).isEqualTo(1e-4);
    assertThat(config.batchRows()).isEqualTo(4096);
    assertThat(config.progressAfter()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.progressInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.summaryMaxRows()).isEqualTo(200);
    assertThat(config.sparkConf())
        .containsEntry("spark.ui.enabled", "false")
        .containsEntry("spark.ui.showConsoleProgress", "false")
        .containsEntry("spark.sql.shuffle.partitions", "8")
        .hasSize(3);
    Config rendered = ConfigFactory.parseString(config.rendered());
    assertThat(rendered.getInt("read.batch-rows")).isEqualTo(4096);
    assertThat(rendered.getString("format")).isEqualTo("auto");
    assertThat(JobConfig.load(null, List.of())).isEqualTo(config);
  }

  @Test
  void setOverridesConfFileWhichOverridesReferenceConfWithTheSoftmetricsBlock() throws IOException {
    File conf =
        write(
            "site.conf",
            """
            softmetrics {
              format = logprobs
              read.batch-rows = 100
              summary.max-rows = 7
              columns { model = llm, text = body }
              validation.positive-logprob-tolerance = 0.01
            }
            """);

    JobConfig fileOnly = JobConfig.load(conf, List.of());
    assertThat(fileOnly.format()).isEqualTo(InputFormat.LOGPROBS);
    assertThat(fileOnly.batchRows()).isEqualTo(100);
    assertThat(fileOnly.summaryMaxRows()).isEqualTo(7);
    assertThat(fileOnly.columns().model()).isEqualTo("llm");
    assertThat(fileOnly.columns().text()).isEqualTo("body");
    assertThat(fileOnly.positiveLogprobTolerance()).isEqualTo(0.01);
    // Keys the file does not set keep the reference.conf values.
    assertThat(fileOnly.columns().tokenizer()).isEqualTo("tokenizer");
    assertThat(fileOnly.progressInterval()).isEqualTo(Duration.ofSeconds(5));

    JobConfig both =
        JobConfig.load(
            conf,
            List.of(
                "read.batch-rows=5",
                "columns.model=engine",
                "softmetrics.summary.max-rows=9",
                "format=auto"));
    assertThat(both.batchRows()).isEqualTo(5);
    assertThat(both.columns().model()).isEqualTo("engine");
    assertThat(both.summaryMaxRows()).isEqualTo(9);
    assertThat(both.format()).isEqualTo(InputFormat.AUTO);
    // Not overridden on the command line: the file's value stays.
    assertThat(both.columns().text()).isEqualTo("body");
    assertThat(both.positiveLogprobTolerance()).isEqualTo(0.01);
    Config rendered = ConfigFactory.parseString(both.rendered());
    assertThat(rendered.getInt("read.batch-rows")).isEqualTo(5);
    assertThat(rendered.getString("columns.model")).isEqualTo("engine");
    assertThat(rendered.getString("columns.text")).isEqualTo("body");
  }

  @Test
  void confFileWithoutTheSoftmetricsBlockIsRelativeToSoftmetrics() throws IOException {
    File conf =
        write(
            "bare.conf",
            """
            read.batch-rows = 64
            columns.sequence-id = doc
            progress { after = 10s, interval = 2s }
            """);

    JobConfig config = JobConfig.load(conf, List.of());
    assertThat(config.batchRows()).isEqualTo(64);
    assertThat(config.columns().sequenceId()).isEqualTo("doc");
    assertThat(config.progressAfter()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.progressInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.format()).isEqualTo(InputFormat.AUTO);

    assertThat(JobConfig.load(conf, List.of("read.batch-rows=3")).batchRows()).isEqualTo(3);
  }

  @Test
  void laterSetWinsOverEarlierSet() {
    JobConfig config = JobConfig.load(null, List.of("read.batch-rows=10", "read.batch-rows=20"));
    assertThat(config.batchRows()).isEqualTo(20);
  }

  @Test
  void setValuesAreTrimmedAndParsedAsTheKeysType() {
    JobConfig config =
        JobConfig.load(
            null,
            List.of(
                "validation.positive-logprob-tolerance = 1e-3",
                "progress.after=250ms",
                "format=LOGPROBS"));
    assertThat(config.positiveLogprobTolerance()).isEqualTo(1e-3);
    assertThat(config.progressAfter()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.format()).isEqualTo(InputFormat.LOGPROBS);
  }

  @Test
  void sparkKeysFromSetLandInSparkConfAsTheyAre() {
    JobConfig config =
        JobConfig.load(
            null,
            List.of(
                "spark.sql.shuffle.partitions=3",
                "spark.executor.memory=2g",
                "spark.hadoop.fs.s3a.endpoint=http://localhost:9000"));

    assertThat(config.sparkConf())
        .containsEntry("spark.sql.shuffle.partitions", "3")
        .containsEntry("spark.executor.memory", "2g")
        .containsEntry("spark.hadoop.fs.s3a.endpoint", "http://localhost:9000")
        .containsEntry("spark.ui.enabled", "false");
    // A Spark key is not a softmetrics key: the job's own settings are untouched.
    assertThat(config.batchRows()).isEqualTo(4096);
    assertThatThrownBy(() -> config.sparkConf().put("spark.x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void sparkKeysFromTheConfFileSoftmetricsBlockLandInSparkConf() throws IOException {
    File conf =
        write(
            "spark.conf",
            """
            softmetrics.spark { "spark.sql.shuffle.partitions" = 2 }
            """);

    JobConfig config = JobConfig.load(conf, List.of());
    assertThat(config.sparkConf())
        .containsEntry("spark.sql.shuffle.partitions", "2")
        .containsEntry("spark.ui.enabled", "false");

    assertThat(JobConfig.load(conf, List.of("spark.sql.shuffle.partitions=5")).sparkConf())
        .containsEntry("spark.sql.shuffle.partitions", "5");
  }

  @Test
  void sparkKeysAtTheTopOfAConfFileLandInSparkConfAsTheyAre() throws IOException {
    // reference.conf: "Keys in --set and in --conf are relative to `softmetrics` ..., except keys
    // that start with `spark.`, which go to Spark as they are."
    File conf =
        write(
            "bare-spark.conf",
            """
            read.batch-rows = 64
            spark.sql.shuffle.partitions = 3
            """);

    JobConfig config = JobConfig.load(conf, List.of());
    assertThat(config.batchRows()).isEqualTo(64);
    assertThat(config.sparkConf())
        .containsEntry("spark.sql.shuffle.partitions", "3")
        .containsEntry("spark.ui.enabled", "false")
        .allSatisfy((key, value) -> assertThat(key).startsWith("spark."));
  }

  @Test
  void negativeToleranceIsRejectedNamingTheKey() {
    assertThatThrownBy(
            () -> JobConfig.load(null, List.of("validation.positive-logprob-tolerance=-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("validation.positive-logprob-tolerance")
        .hasMessageContaining("-1")
        .hasMessageContaining(">= 0");
  }

  @Test
  void nonFiniteToleranceIsRejectedNamingTheKey() {
    assertThatThrownBy(
            () -> JobConfig.load(null, List.of("validation.positive-logprob-tolerance=Infinity")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("validation.positive-logprob-tolerance");
  }

  @Test
  void zeroBatchRowsIsRejectedNamingTheKey() {
    assertThatThrownBy(() -> JobConfig.load(null, List.of("read.batch-rows=0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid read.batch-rows: 0 (must be >= 1)");
  }

  @Test
  void nonNumericBatchRowsIsRejectedNamingTheKey() {
    assertThatThrownBy(() -> JobConfig.load(null, List.of("read.batch-rows=many")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("read.batch-rows");
  }

  @Test
  void zeroProgressIntervalAndSummaryRowsAreRejected() {
    assertThatThrownBy(() -> JobConfig.load(null, List.of("progress.interval=0s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("progress.interval");
    assertThatThrownBy(() -> JobConfig.load(null, List.of("summary.max-rows=0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("summary.max-rows");
  }

  @Test
  void setWithoutEqualsIsRejectedNamingThePair() {
    assertThatThrownBy(() -> JobConfig.load(null, List.of("read.batch-rows")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid --set: read.batch-rows (must be key=value)");
    assertThatThrownBy(() -> JobConfig.load(null, List.of("=5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid --set: =5");
  }

  @Test
  void unknownFormatIsRejectedNamingTheKeyAndValue() {
    assertThatThrownBy(() -> JobConfig.load(null, List.of("format=csv")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid format: csv (must be auto, logprobs or logits)");
  }

  @Test
  void unknownFormatInTheConfFileIsRejectedToo() throws IOException {
    File conf = write("bad-format.conf", "format = tsv\n");
    assertThatThrownBy(() -> JobConfig.load(conf, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid format: tsv");
  }

  @Test
  void emptyColumnNameIsRejected() {
    assertThatThrownBy(() -> JobConfig.load(null, List.of("columns.model=")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column name");
  }

  @Test
  void missingConfFileIsRejectedNamingThePath() {
    File missing = tmp.resolve("no-such.conf").toFile();
    assertThatThrownBy(() -> JobConfig.load(missing, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--conf")
        .hasMessageContaining(missing.getPath())
        .hasMessageContaining("no such file");
  }

  @Test
  void confFileThatIsAFolderIsRejected() {
    File folder = tmp.toFile();
    assertThatThrownBy(() -> JobConfig.load(folder, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(folder.getPath());
  }

  private File write(String name, String hocon) throws IOException {
    Path file = tmp.resolve(name);
    Files.writeString(file, hocon, StandardCharsets.UTF_8);
    return file.toFile();
  }
}
