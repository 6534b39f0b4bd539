package dev.softmetrics.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.softmetrics.job.SoftMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sql} over the output folder of a real {@code score} run, and {@code convert}, through
 * {@link SoftMetrics#execute}: what they print, and one error line with exit status 2 for bad SQL
 * or bad figures.
 */
class AnalysisCommandsTest {

  @TempDir static Path fixtures;

  private static String output;

  /**
   * Two models score the same three sequences (m2 at twice m1's NLL), and the job writes every
   * table; the fixture session is stopped before the CLI runs, as in {@link SoftMetricsCliTest}.
   */
  @BeforeAll
  static void scoreAFixture() {
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("softmetrics-analysis-fixtures")
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
      spark
          .createDataFrame(
              List.of(
                  RowFactory.create("a", "m1", "t1", "web", new double[] {-1, -1}, "ab, cd"),
                  RowFactory.create("b", "m1", "t1", "web", new double[] {-1}, "cd"),
                  RowFactory.create("c", "m1", "t1", "web", new double[] {-0.5}, "ef"),
                  RowFactory.create("a", "m2", "t1", "web", new double[] {-2, -2}, "ab, cd"),
                  RowFactory.create("b", "m2", "t1", "web", new double[] {-2}, "cd"),
                  RowFactory.create("c", "m2", "t1", "web", new double[] {-1}, "ef")),
              schema)
          .coalesce(1)
          .write()
          .parquet(input);
    } finally {
      spark.stop();
    }
    output = fixtures.resolve("out").toString();
    CliOutcome run =
        CliOutcome.of("score", "--input", input, "--output", output, "--run-id", "fixture");
    assertThat(run.status()).as(run.err()).isZero();
  }

  @Test
  void sqlPrintsAnAlignedTableOverTheViews() {
    CliOutcome run =
        CliOutcome.of(
            "sql",
            "SELECT model, domain, sequences, tokens, mean_nll FROM corpus ORDER BY model, domain",
            "--output",
            output);
    assertThat(run.status()).as(run.err()).isZero();
    // m1: 4 tokens, NLL 3.5; m2: twice that.
    assertThat(run.outLines())
        .containsExactly(
            "model  domain   sequences  tokens  mean_nll",
            "-----  -------  ---------  ------  --------",
            "m1     __all__          3       4     0.875",
            "m1     web              3       4     0.875",
            "m2     __all__          3       4      1.75",
            "m2     web              3       4      1.75",
            "(4 rows)");
  }

  @Test
  void sqlSeesEveryTableAndPrintsCsvForScripts() {
    CliOutcome run =
        CliOutcome.of(
            "sql",
            "SELECT (SELECT count(*) FROM sequences) AS sequences, (SELECT count(*) FROM rejected)"
                + " AS rejected, (SELECT count(*) FROM runs) AS runs, better, sequences AS paired,"
                + " 'x, \"y\"' AS quoted, CAST(NULL AS STRING) AS nothing FROM comparisons"
                + " WHERE domain = '__all__'",
            "--dir",
            output,
            "--csv");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            "sequences,rejected,runs,better,paired,quoted,nothing", "6,0,1,m1,3,\"x, \"\"y\"\"\",");
  }

  @Test
  void sqlPrintsJsonLinesWithNullsKept() throws Exception {
    CliOutcome run =
        CliOutcome.of(
            "sql",
            "SELECT sequence_id, nll_sum, CAST(NULL AS DOUBLE) AS nothing FROM sequences"
                + " WHERE model = 'm2' ORDER BY sequence_id",
            "--output",
            output,
            "--json");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.outLines()).hasSize(3);
    JsonNode first = new ObjectMapper().readTree(run.outLines().get(0));
    assertThat(first.get("sequence_id").asText()).isEqualTo("a");
    assertThat(first.get("nll_sum").asDouble()).isEqualTo(4.0);
    assertThat(first.has("nothing")).isTrue();
    assertThat(first.get("nothing").isNull()).isTrue();
  }

  @Test
  void badSqlGivesOneErrorLineAndStatusTwo() {
    CliOutcome syntax = CliOutcome.of("sql", "SELEC * FROM corpus", "--output", output);
    assertThat(syntax.status()).isEqualTo(2);
    assertThat(syntax.errorLines())
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("softmetrics: error: Invalid SQL: "));

    CliOutcome table = CliOutcome.of("sql", "SELECT * FROM no_such_table", "--output", output);
    assertThat(table.status()).isEqualTo(2);
    assertThat(table.errorLines())
        .containsExactly(
            "softmetrics: error: Invalid SQL: Catalog Error: Table with name no_such_table does"
                + " not exist!");

    CliOutcome sparkTable =
        CliOutcome.of(
            "sql", "SELECT * FROM no_such_table", "--output", output, "--engine", "spark");
    assertThat(sparkTable.status()).isEqualTo(2);
    assertThat(sparkTable.errorLines())
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .startsWith("softmetrics: error: Invalid SQL: [TABLE_OR_VIEW_NOT_FOUND]"));

    CliOutcome write = CliOutcome.of("sql", "  -- tidy up\nDROP VIEW corpus", "--output", output);
    assertThat(write.status()).isEqualTo(2);
    assertThat(write.errorLines())
        .containsExactly(
            "softmetrics: error: Cannot run the query: it is DROP, not a query (sql runs"
                + " read-only queries over the tables of "
                + output
                + ": sequences, corpus, rejected, runs, comparisons, positions)");

    CliOutcome folder =
        CliOutcome.of("sql", "SELECT 1", "--output", fixtures.resolve("shards").toString());
    assertThat(folder.status()).isEqualTo(2);
    assertThat(folder.errorLines())
        .singleElement()
        .satisfies(l -> assertThat(l).contains("it holds none of the tables sequences, corpus"));
  }

  /**
   * A write hidden behind {@code WITH} and a read of a file outside the output: exit 2, one line
   * naming what the statement does, no stack trace, and the corpus folder unchanged.
   */
  @Test
  void sqlRefusesWritesAndOutsideReadsWithOneLine() throws Exception {
    String rule =
        " (sql runs read-only queries over the tables of "
            + output
            + ": sequences, corpus, rejected, runs, comparisons, positions)";
    Path corpus = Path.of(output, "corpus");
    List<String> before = listing(corpus);
    CliOutcome write =
        CliOutcome.of(
            "sql",
            "WITH t AS (SELECT * FROM corpus) INSERT INTO corpus SELECT * FROM t",
            "--output",
            output,
            "--engine",
            "spark");
    assertThat(write.status()).isEqualTo(2);
    assertThat(write.errorLines())
        .containsExactly("softmetrics: error: Cannot run the query: it writes to corpus" + rule);
    assertThat(write.err()).doesNotContain("\tat ");
    assertThat(listing(corpus)).isEqualTo(before);

    Path secret = Files.writeString(fixtures.resolve("secret.txt"), "top secret\n");
    CliOutcome read =
        CliOutcome.of(
            "sql", "SELECT * FROM text.`" + secret + "`", "--output", output, "--engine", "spark");
    assertThat(read.status()).isEqualTo(2);
    assertThat(read.errorLines())
        .containsExactly("softmetrics: error: Cannot run the query: it reads " + secret + rule);
    assertThat(read.out()).doesNotContain("top secret");

    CliOutcome duckWrite =
        CliOutcome.of(
            "sql",
            "WITH t AS (SELECT * FROM corpus) INSERT INTO corpus SELECT * FROM t",
            "--output",
            output);
    assertThat(duckWrite.status()).isEqualTo(2);
    assertThat(duckWrite.errorLines())
        .containsExactly(
            "softmetrics: error: Cannot run the query: it holds a statement that is not a query"
                + rule);
    CliOutcome duckRead =
        CliOutcome.of("sql", "SELECT * FROM read_text('" + secret + "')", "--output", output);
    assertThat(duckRead.status()).isEqualTo(2);
    assertThat(duckRead.errorLines())
        .containsExactly("softmetrics: error: Cannot run the query: it reads " + secret + rule);
    assertThat(duckRead.out()).doesNotContain("top secret");
    assertThat(listing(corpus)).isEqualTo(before);
  }

  /** Every file under {@code folder} with its size, sorted. */
  private static List<String> listing(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.map(p -> folder.relativize(p) + " " + p.toFile().length()).sorted().toList();
    }
  }

  @Test
  void convertPrintsEveryEquivalentFigure() throws Exception {
    CliOutcome run = CliOutcome.of("convert", "--ppl-token", "8.79", "--bytes-per-token", "4.2");
    assertThat(run.status()).as(run.err()).isZero();
    // ln 8.79 = 2.1736147117 nats/token; / 4.2 bytes = 0.5175273123 nats/byte = 0.746634087 bits.
    assertThat(run.outLines())
        .containsExactly(
            "nats per token (mean NLL)   nats_per_token  2.173614712",
            "bits per token              bits_per_token  3.135863165",
            "token perplexity            ppl_token       8.79",
            "nats per byte               nats_per_byte   0.5175273123",
            "bits per byte (BPB)         bits_per_byte   0.746634087",
            "byte perplexity             ppl_byte        1.677873659",
            "nats per word               nats_per_word   -  (needs --bytes-per-word)",
            "bits per word               bits_per_word   -  (needs --bytes-per-word)",
            "word perplexity             ppl_word        -  (needs --bytes-per-word)");

    CliOutcome anchor = CliOutcome.of("convert", "--bpb", "0.5864857250704371", "--json");
    assertThat(anchor.status()).as(anchor.err()).isZero();
    JsonNode figures = new ObjectMapper().readTree(anchor.out());
    assertThat(figures.get("ppl_byte").asDouble()).isEqualTo(1.5015845643537054);
    assertThat(figures.get("ppl_token").isNull()).isTrue();
  }

  @Test
  void convertRejectsBadFiguresWithStatusTwo() {
    CliOutcome bad = CliOutcome.of("convert", "--ppl-word", "0.5");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.errorLines())
        .containsExactly(
            "softmetrics: error: Invalid perplexity per word: 0.5 (must be finite and >= 1: a"
                + " perplexity below 1 is a negative NLL)");
    assertThat(CliOutcome.of("convert", "--ppl-token", "9", "--bpb", "1").status()).isEqualTo(2);
    assertThat(CliOutcome.of("convert", "--bytes-per-token", "4").status()).isEqualTo(2);
  }
}
