package dev.softmetrics.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.SoftMetrics;
import dev.softmetrics.job.query.LocalOutput;
import dev.softmetrics.job.query.OutputFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code sql} over the output of a real {@code score} run, on both engines: DuckDB (the default for
 * a local folder) and Spark SQL print the same text for the same queries; the examples of
 * docs/ANALYSIS.md run; a folder of outputs names its subfolders; and the DuckDB path starts no
 * Spark (checked in a JVM of its own, whose loaded classes are listed).
 */
class SqlEnginesTest {

  @TempDir static Path fixtures;

  private static String output;

  /**
   * Two models score four sequences in two domains (m2 at twice m1's NLL), and one row is rejected
   * (a positive log-prob); the output is one folder down, as in the demo's folder of outputs.
   */
  @BeforeAll
  static void scoreAFixture() {
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("softmetrics-sql-engines-fixtures")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    String input = fixtures.resolve("shards").toString();
    try {
      StructType schema =
          new StructType()
              .add("sequence_id", DataTypes.StringType)
              .add("model", DataTypes.StringType)
              .add("tokenizer", DataTypes.StringType)
              .add("domain", DataTypes.StringType)
              .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
              .add("text", DataTypes.StringType);
      List<org.apache.spark.sql.Row> rows = new ArrayList<>();
      for (String model : List.of("m1", "m2")) {
        double k = model.equals("m1") ? 1 : 2;
        rows.add(row("a", model, "web", new double[] {-1 * k, -0.25 * k}, "ab, cd"));
        rows.add(row("b", model, "web", new double[] {-0.1 * k}, "cd"));
        rows.add(row("c", model, "code", new double[] {-0.5 * k, -0.3 * k}, "x = 1"));
        rows.add(row("d", model, "code", new double[] {-0.7 * k}, "y"));
      }
      rows.add(row("e", "m1", "code", new double[] {0.5}, "bad"));
      spark.createDataFrame(rows, schema).coalesce(1).write().parquet(input);
    } finally {
      spark.stop();
    }
    output = fixtures.resolve("outputs/heldout").toString();
    CliOutcome run =
        CliOutcome.of("score", "--input", input, "--output", output, "--run-id", "fixture");
    assertThat(run.status()).as(run.err()).isZero();
  }

  private static org.apache.spark.sql.Row row(
      String id, String model, String domain, double[] logprobs, String text) {
    return RowFactory.create(id, model, "t1", domain, logprobs, text);
  }

  static Stream<String> queries() {
    return Stream.of(
        "SELECT model, tokenizer, domain, sequences, tokens, bytes, words, nll_sum, mean_nll,"
            + " ppl_token, bits_per_byte, bits_per_byte_ci_low, bits_per_byte_ci_high, domains,"
            + " macro_bits_per_byte FROM corpus ORDER BY model, domain",
        "SELECT sequence_id, model, domain, tokens, nll_sum, mean_nll, ppl, file_key FROM"
            + " sequences ORDER BY model, sequence_id",
        "SELECT s.model, s.sequence_id, s.mean_nll - c.mean_nll AS above_corpus FROM sequences s"
            + " JOIN corpus c ON s.model = c.model AND s.domain = c.domain ORDER BY 1, 2",
        "SELECT model, count(*) AS n, sum(tokens) AS tokens, min(mean_nll) AS lo, max(ppl) AS hi"
            + " FROM sequences GROUP BY model ORDER BY model",
        "SELECT sequence_id, reason, model FROM rejected ORDER BY sequence_id",
        "SELECT model_a, model_b, domain, sequences, bits_per_byte_diff, better FROM comparisons"
            + " ORDER BY domain",
        "SELECT run_id, status, rows_read, rows_scored, rows_rejected, accounting_ok FROM runs");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("queries")
  void bothEnginesPrintTheSameTable(String query) {
    CliOutcome duck = CliOutcome.of("sql", query, "--output", output, "--engine", "duckdb");
    CliOutcome spark = CliOutcome.of("sql", query, "--output", output, "--engine", "spark");
    assertThat(duck.status()).as(duck.err()).isZero();
    assertThat(spark.status()).as(spark.err()).isZero();
    assertThat(duck.outLines()).hasSizeGreaterThan(3).isEqualTo(spark.outLines());
  }

  @Test
  void bothEnginesPrintTheSameCsv() {
    String query = queries().findFirst().orElseThrow();
    CliOutcome duck = CliOutcome.of("sql", query, "--output", output, "--csv");
    CliOutcome spark =
        CliOutcome.of("sql", query, "--output", output, "--csv", "--engine", "spark");
    assertThat(duck.status()).as(duck.err()).isZero();
    assertThat(duck.outLines()).hasSize(7).isEqualTo(spark.outLines());
  }

  /** Each {@code bin/softmetrics sql "..." OPTIONS} of docs/ANALYSIS.md, over this output. */
  @Test
  void analysisExamplesRun() throws IOException {
    Path doc = docs().resolve("ANALYSIS.md");
    Matcher example =
        Pattern.compile("bin/softmetrics sql \"([^\"]*)\"([^\\n]*)").matcher(Files.readString(doc));
    int examples = 0;
    while (example.find()) {
      if (example.group(1).equals("SELECT ...")) {
        continue;
      }
      List<String> args = new ArrayList<>(List.of("sql", example.group(1)));
      for (String option : example.group(2).trim().split("\\s+")) {
        args.add(option.equals("demo-output/heldout") ? output : option);
      }
      assertThat(args).as("an example's --output").contains(output);
      CliOutcome run = CliOutcome.of(args.toArray(String[]::new));
      assertThat(run.status()).as(example.group() + "\n" + run.err()).isZero();
      assertThat(run.nonBlankOutLines())
          .as(example.group())
          .isNotEmpty()
          .doesNotContain("(0 rows)");
      examples++;
    }
    assertThat(examples).isEqualTo(6);
  }

  @Test
  void aFolderOfOutputsNamesTheSubfoldersThatHoldTables() {
    String outputs = fixtures.resolve("outputs").toString();
    String expected =
        "softmetrics: error: Cannot query "
            + outputs
            + ": it holds none of the tables sequences, corpus, rejected, runs, comparisons, positions, but"
            + " its subfolders heldout do (use --output "
            + outputs
            + "/heldout)";
    CliOutcome duck = CliOutcome.of("sql", "SELECT 1", "--output", outputs);
    assertThat(duck.status()).isEqualTo(2);
    assertThat(duck.errorLines()).containsExactly(expected);
    CliOutcome spark = CliOutcome.of("sql", "SELECT 1", "--output", outputs, "--engine", "spark");
    assertThat(spark.status()).isEqualTo(2);
    assertThat(spark.errorLines()).containsExactly(expected);
  }

  @Test
  void bothEnginesKnowTheSameTables() {
    assertThat(LocalOutput.TABLES).isEqualTo(OutputFolder.TABLES);
  }

  /**
   * {@code sql} in a JVM of its own, as bin/softmetrics runs it, with class loading logged: it
   * answers, and loads no class of Spark's.
   */
  @Test
  void duckDbPathLoadsNoSparkClass() throws Exception {
    Path log = fixtures.resolve("classes.log");
    Process java =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log,
                "-cp",
                System.getProperty("java.class.path"),
                SoftMetrics.class.getName(),
                "sql",
                "SELECT count(*) AS n FROM corpus",
                "--output",
                output,
                "--csv")
            .redirectErrorStream(true)
            .start();
    String printed = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor()).as(printed).isZero();
    assertThat(printed.lines()).containsExactly("n", "6");
    List<String> spark =
        Files.readAllLines(log).stream()
            .filter(l -> l.contains(" org.apache.spark."))
            .map(l -> l.replaceAll(".*\\] (\\S+) source.*", "$1"))
            .toList();
    assertThat(spark).isEmpty();
    assertThat(Files.readString(log)).contains("org.duckdb.DuckDBConnection");
  }

  private static Path docs() {
    Path here = Path.of("").toAbsolutePath();
    Path docs = here.resolve("docs");
    return Files.isDirectory(docs) ? docs : here.getParent().resolve("docs");
  }
}
