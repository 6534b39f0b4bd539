package dev.softmetrics.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.softmetrics.job.SoftMetrics;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line through {@link SoftMetrics#execute}: exit status, the summary on stdout, one
 * error line on stderr. Each {@code score} opens and stops its own Spark session, as {@code
 * bin/softmetrics} does, so this class never holds one of its own while the CLI runs; the output
 * tables are read back with DuckDB.
 */
class SoftMetricsCliTest {

  @TempDir static Path fixtures;

  @TempDir Path tmp;

  private static String input;
  private static String otherInput;
  private static String withoutLogprobs;

  /**
   * Writes the fixtures with a short-lived session, stopped before any test runs the CLI (this also
   * sets up Spark's logging before stderr is captured).
   */
  @BeforeAll
  static void writeFixtures() {
    assertThat(SparkSession.getActiveSession().isEmpty()).isTrue();
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("softmetrics-cli-fixtures")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      StructType schema =
          new StructType()
              .add("sequence_id", DataTypes.StringType)
              .add("model", DataTypes.StringType)
              .add("tokenizer", DataTypes.StringType)
              .add("domain", DataTypes.StringType)
              .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
              .add("text", DataTypes.StringType);
      input = fixtures.resolve("shards").toString();
      spark
          .createDataFrame(
              List.of(
                  RowFactory.create("a", "m1", "t1", "web", new double[] {-1, -1}, "ab"),
                  RowFactory.create("b", "m1", "t1", "web", new double[] {-1}, "cd"),
                  RowFactory.create("c", "m1", "t1", "web", null, "ef")),
              schema)
          .coalesce(1)
          .write()
          .parquet(input);
      otherInput = fixtures.resolve("more-shards").toString();
      spark
          .createDataFrame(
              List.of(RowFactory.create("d", "m1", "t1", "code", new double[] {-2}, "xy")), schema)
          .write()
          .parquet(otherInput);
      withoutLogprobs = fixtures.resolve("no-logprobs").toString();
      spark
          .createDataFrame(
              List.of(RowFactory.create("a", "m1", "t1", "web", "ab")),
              new StructType()
                  .add("sequence_id", DataTypes.StringType)
                  .add("model", DataTypes.StringType)
                  .add("tokenizer", DataTypes.StringType)
                  .add("domain", DataTypes.StringType)
                  .add("text", DataTypes.StringType))
          .write()
          .parquet(withoutLogprobs);
    } finally {
      spark.stop();
    }
  }

  @Test
  void scorePrintsTheSummaryTableAndOneJsonLineAndExitsZero() throws Exception {
    String output = tmp.resolve("out").toString();

    CliOutcome run =
        CliOutcome.of("score", "--input", input, "--output", output, "--run-id", "cli-run-1");

    assertThat(run.status()).as(run.err()).isZero();
    List<String> lines = run.nonBlankOutLines();
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("model", "tokenizer", "domain", "sequences", "tokens", "ppl_token"));
    // m1/t1/web: 2 sequences, 3 tokens at NLL 1, 4 bytes: mean 1, ppl e, 3 / (4 ln 2) bits/byte.
    String figures = "\\s+2\\s+3\\s+4\\s+1\\.0000\\s+2\\.718\\s+1\\.0820\\s+1\\.0820";
    // Then the headline's interval (one tokenizer: ppl_token); both sequences have NLL 1 per token.
    assertThat(lines)
        .anySatisfy(
            l -> assertThat(l).matches("m1\\s+t1\\s+web" + figures + "\\s+2\\.718\\.\\.2\\.718"));
    assertThat(lines.get(0)).endsWith("  ppl_token 95% CI");
    // One domain: the roll-up would repeat the web row, so it is not printed.
    assertThat(lines).noneMatch(l -> l.contains("__all__"));
    // Without --verbose the configuration is in runs/ only.
    assertThat(run.err()).doesNotContain("configuration");

    List<String> json = lines.stream().filter(l -> l.startsWith("{")).toList();
    assertThat(json).hasSize(1);
    assertThat(lines.get(lines.size() - 1)).isEqualTo(json.get(0));
    JsonNode counts = new ObjectMapper().readTree(json.get(0));
    assertThat(counts.get("run_id").asText()).isEqualTo("cli-run-1");
    assertThat(counts.get("status").asText()).isEqualTo("succeeded");
    assertThat(counts.get("rows_read").asLong()).isEqualTo(3);
    assertThat(counts.get("sequences_scored").asLong()).isEqualTo(2);
    assertThat(counts.get("rows_rejected").asLong()).isEqualTo(1);
    assertThat(counts.get("accounting_ok").asBoolean()).isTrue();
    assertThat(counts.get("input_files").asInt()).isEqualTo(1);
    assertThat(run.nonBlankErrLines()).noneMatch(l -> l.startsWith("softmetrics: error:"));

    // With no --master and no spark-submit, the run is embedded on local[*].
    assertThat(query(output + "/runs", "SELECT run_id, master, rows_read FROM t"))
        .isEqualTo("cli-run-1|local[*]|3");
    assertThat(query(output + "/sequences", "SELECT count(*), sum(nll_sum) FROM t"))
        .isEqualTo("2|3.0");
    assertThat(SparkSession.getActiveSession().isEmpty()).isTrue();
  }

  @Test
  void scoreTakesMasterConfSetFormatAndSeveralInputs() throws Exception {
    String output = tmp.resolve("out").toString();
    Path conf = tmp.resolve("job.conf");
    Files.writeString(conf, "softmetrics { read.batch-rows = 64, summary.max-rows = 1 }\n");

    CliOutcome run =
        CliOutcome.of(
            "score",
            "--input",
            input + "," + otherInput + "/*.parquet",
            "--output",
            output,
            "--format",
            "logprobs",
            "--master",
            "local[1]",
            "--conf",
            conf.toString(),
            "--set",
            "read.batch-rows=2",
            "--run-id",
            "cli-run-2",
            "--verbose");

    assertThat(run.status()).as(run.err()).isZero();
    // --verbose: the configuration runs/ records, on one line of stderr.
    assertThat(run.nonBlankErrLines())
        .filteredOn(l -> l.startsWith("softmetrics: configuration {"))
        .singleElement()
        .asString()
        .contains("\"summary\":{\"max-rows\":1}");
    // summary.max-rows = 1 from the file: one table row, then a note of what was left out.
    assertThat(run.nonBlankOutLines()).anySatisfy(l -> assertThat(l).startsWith("m1 "));
    assertThat(run.nonBlankOutLines()).noneMatch(l -> l.contains("__all__"));
    assertThat(run.nonBlankOutLines())
        .anySatisfy(l -> assertThat(l).contains("2 more rows in corpus/"));
    JsonNode counts =
        new ObjectMapper().readTree(run.nonBlankOutLines().get(run.nonBlankOutLines().size() - 1));
    assertThat(counts.get("rows_read").asLong()).isEqualTo(4);
    assertThat(counts.get("input_files").asInt()).isEqualTo(2);
    assertThat(counts.get("accounting_ok").asBoolean()).isTrue();
    assertThat(
            query(
                output + "/runs",
                "SELECT master, json_extract_string(configuration, '$.read.\"batch-rows\"'),"
                    + " json_extract_string(configuration, '$.format') FROM t"))
        .isEqualTo("local[1]|2|logprobs");
  }

  @Test
  void missingInputPathExitsNonZeroWithOneErrorLineNamingThePath() {
    String missing = tmp.resolve("no-such-shards").toString();
    String output = tmp.resolve("out").toString();

    CliOutcome run = CliOutcome.of("score", "--input", missing, "--output", output);

    assertThat(run.status()).isNotZero();
    assertOneErrorLine(run).contains(missing);
    assertThat(run.out()).doesNotContain("rows_read");
    assertThat(new File(output, "runs")).doesNotExist();
  }

  /**
   * The same failure as a user sees it: a separate JVM with the logging of {@code bin/softmetrics}
   * ({@code conf/log4j2.properties}), whose stderr also receives what Spark logs.
   */
  @Test
  void missingInputPathPrintsNoStackTraceOnTheStderrOfARealRun() throws Exception {
    Path logging = Path.of("..", "conf", "log4j2.properties").toAbsolutePath().normalize();
    assertThat(logging).exists();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-Dlog4j2.configurationFile=" + logging);
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(SoftMetrics.class.getName());
    String missing = tmp.resolve("no-such-shards").toString();
    command.addAll(List.of("score", "--input", missing, "--output", tmp.resolve("out").toString()));
    File err = tmp.resolve("stderr.txt").toFile();
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(tmp.resolve("stdout.txt").toFile())
            .redirectError(err)
            .start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

    CliOutcome run =
        new CliOutcome(
            process.exitValue(), "", Files.readString(err.toPath(), StandardCharsets.UTF_8));
    assertThat(run.status()).isNotZero();
    assertOneErrorLine(run).contains(missing);
  }

  @Test
  void inputWithoutTokenLogprobsExitsNonZeroNamingTheColumn() {
    CliOutcome run =
        CliOutcome.of(
            "score", "--input", withoutLogprobs, "--output", tmp.resolve("out").toString());

    assertThat(run.status()).isNotZero();
    assertOneErrorLine(run).contains("token_logprobs");
  }

  @Test
  void aFolderLabelThatIsAlsoAColumnExitsWithStatus2AndOneLineNamingFileLabelAndColumn()
      throws Exception {
    Path shard;
    try (var files = Files.list(Path.of(input))) {
      shard = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Path labelled = tmp.resolve("in/text=raw/part-0.parquet");
    Files.createDirectories(labelled.getParent());
    Files.copy(shard, labelled);

    CliOutcome run =
        CliOutcome.of(
            "score",
            "--input",
            tmp.resolve("in").toString(),
            "--output",
            tmp.resolve("out").toString());

    assertThat(run.status()).isEqualTo(2);
    assertOneErrorLine(run)
        .isEqualTo(
            "softmetrics: error: Cannot score file:"
                + labelled
                + ": its folder label text=raw is also its column text (rename the folder, or"
                + " drop the column from the file)");
    assertThat(tmp.resolve("out/runs")).doesNotExist();
  }

  @Test
  void unknownFormatExitsNonZeroNamingTheValue() {
    CliOutcome run =
        CliOutcome.of(
            "score",
            "--input",
            input,
            "--output",
            tmp.resolve("out").toString(),
            "--format",
            "csv");

    assertThat(run.status()).isNotZero();
    assertOneErrorLine(run).contains("Invalid format: csv").contains("auto, logprobs or logits");
    assertThat(run.nonBlankErrLines()).hasSize(1);
  }

  @Test
  void negativeToleranceExitsNonZeroStatingTheRule() {
    CliOutcome run =
        CliOutcome.of(
            "score",
            "--input",
            input,
            "--output",
            tmp.resolve("out").toString(),
            "--set",
            "validation.positive-logprob-tolerance=-1");

    assertThat(run.status()).isNotZero();
    assertOneErrorLine(run)
        .contains("validation.positive-logprob-tolerance")
        .contains("must be finite and >= 0");
    assertThat(run.nonBlankErrLines()).hasSize(1);
  }

  @Test
  void missingConfFileExitsNonZeroNamingIt() {
    String conf = tmp.resolve("missing.conf").toString();
    CliOutcome run =
        CliOutcome.of(
            "score", "--input", input, "--output", tmp.resolve("out").toString(), "--conf", conf);

    assertThat(run.status()).isNotZero();
    assertOneErrorLine(run).contains(conf);
  }

  @Test
  void missingRequiredOptionIsAUsageError() {
    CliOutcome run = CliOutcome.of("score", "--output", tmp.resolve("out").toString());

    assertThat(run.status()).isNotZero();
    assertThat(run.err()).contains("--input");
  }

  @Test
  void helpExitsZeroAndListsTheCommands() {
    CliOutcome top = CliOutcome.of("--help");
    assertThat(top.status()).isZero();
    // demo is the demo module's (DemoMainTest): the job jar has no demo.
    assertThat(top.out()).contains("score");

    CliOutcome score = CliOutcome.of("score", "--help");
    assertThat(score.status()).isZero();
    assertThat(score.out())
        .contains("--input")
        .contains("--output")
        .contains("--format")
        .contains("--conf")
        .contains("--master")
        .contains("--run-id")
        .contains("--set");
  }

  // ---------------------------------------------------------------- helpers

  @Test
  void versionNamesSoftmetricsSparkAndJava() {
    CliOutcome run = CliOutcome.of("--version");

    assertThat(run.status()).isZero();
    assertThat(run.out())
        .contains("softmetrics ")
        .contains("Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION())
        .contains("Java " + System.getProperty("java.version"));
  }

  /**
   * The run's error: exactly one line that starts with "softmetrics: error:", the last one on
   * stderr, and no stack trace.
   */
  private static org.assertj.core.api.AbstractStringAssert<?> assertOneErrorLine(CliOutcome run) {
    List<String> lines = run.nonBlankErrLines();
    List<String> errors = lines.stream().filter(l -> l.startsWith("softmetrics: error:")).toList();
    assertThat(errors).as(run.err()).hasSize(1);
    assertThat(lines.get(lines.size() - 1)).isEqualTo(errors.get(0));
    assertThat(lines).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:"));
    return assertThat(errors.get(0));
  }

  /** One row of a query over a Parquet table folder (as {@code t}), its columns joined by '|'. */
  private static String query(String table, String sql) throws SQLException {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duck.createStatement()) {
      statement.execute(
          "CREATE VIEW t AS SELECT * FROM read_parquet('" + table + "/**/*.parquet')");
      try (ResultSet rs = statement.executeQuery(sql)) {
        assertThat(rs.next()).as("a row from %s", sql).isTrue();
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        assertThat(rs.next()).as("one row from %s", sql).isFalse();
        return row.toString();
      }
    }
  }
}
