package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.duckdb.DuckDBDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model outputs as the tools people use write them (docs/INPUTS.md): vLLM's prompt log-probs with
 * the {@code None} of the unconditioned first token, integer ids, the engine's own column names
 * mapped in a configuration file. Every row is scored, and corpus/ is DuckDB's sum over the
 * non-null elements of the fixture files.
 */
class RealInputsTest extends LocalSparkTest {

  /** The configuration a user of vLLM writes: their column names onto the job's. */
  static final String VLLM_COLUMNS =
      String.join(
          "\n",
          "columns {",
          "  sequence-id = doc_id",
          "  model = model_name",
          "  tokenizer = tokenizer_name",
          "  domain = task",
          "  token-logprobs = prompt_logprobs",
          "  text = prompt",
          "}",
          "");

  @TempDir Path tmp;
  private Connection duck;

  @BeforeEach
  void openDuckDb() throws SQLException {
    duck = new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
  }

  @AfterEach
  void closeDuckDb() throws SQLException {
    duck.close();
  }

  @Test
  void vllmShapedParquetIsScoredWholeAndMatchesDuckDb() throws Exception {
    Path in = tmp.resolve("in");
    Shards.write(spark, in, vllmSchema(), vllmRows());
    String out = tmp.resolve("out").toString();

    RunResult result =
        ScoreJob.run(spark, new ScoreRequest(List.of(in.toString()), out, "v", conf()));

    assertThat(result.run().accountingOk()).isTrue();
    assertThat(rejectedRows(out)).as("rows in rejected/").isZero();
    assertCorpusIsDuckDbsSum("read_parquet('" + in + "/*.parquet')", out);
  }

  @Test
  void theSameRowsAsJsonLinesScoreTheSameCorpus() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("jsonl"));
    Path file = in.resolve("vllm.jsonl");
    Files.writeString(file, jsonLines(vllmRows()));
    String out = tmp.resolve("out").toString();

    RunResult result =
        ScoreJob.run(spark, new ScoreRequest(List.of(in.toString()), out, "j", conf()));

    assertThat(result.run().accountingOk()).isTrue();
    assertThat(rejectedRows(out)).as("rows in rejected/").isZero();
    assertCorpusIsDuckDbsSum("read_json('" + file + "', format = 'newline_delimited')", out);
  }

  @Test
  void gzipCompressedJsonLinesAreReadAndItsFormatCanBeNamed() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("gz"));
    Path plain = tmp.resolve("vllm.jsonl");
    Files.writeString(plain, jsonLines(vllmRows()));
    try (var gz = new GZIPOutputStream(Files.newOutputStream(in.resolve("vllm.jsonl.gz")))) {
      gz.write(Files.readAllBytes(plain));
    }
    // A name that says nothing: --input-format (read.input-format) names the format.
    Path unnamed = Files.createDirectories(tmp.resolve("unnamed"));
    Files.copy(plain, unnamed.resolve("part-0"));
    String gzOut = tmp.resolve("gz-out").toString();
    String namedOut = tmp.resolve("named-out").toString();

    ScoreJob.run(spark, new ScoreRequest(List.of(in.toString()), gzOut, "gz", conf()));
    JobConfig jsonl = JobConfig.load(confFile().toFile(), List.of("read.input-format=jsonl"));
    ScoreJob.run(spark, new ScoreRequest(List.of(unnamed.toString()), namedOut, "n", jsonl));

    String source = "read_json('" + plain + "', format = 'newline_delimited')";
    assertCorpusIsDuckDbsSum(source, gzOut);
    assertCorpusIsDuckDbsSum(source, namedOut);
  }

  @Test
  void malformedLinesAreRejectedNamingFileAndLine() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("bad"));
    Path file = in.resolve("bad.jsonl");
    String good = jsonLines(vllmRows().subList(0, 1)).strip();
    Files.writeString(
        file,
        String.join(
                "\n",
                good,
                "",
                "{\"doc_id\": 3, \"model_name\": ",
                "[1, 2]",
                "{\"doc_id\": 4, \"prompt_logprobs\": \"-1.0\"}",
                "   ",
                "{\"doc_id\": 5, \"doc_id\": 6}",
                "{\"doc_id\": 7.5, \"model_name\": \"m\"}",
                good.replace("\"doc_id\": 0", "\"doc_id\": 9") + " {}",
                good.replace("\"doc_id\": 0", "\"doc_id\": 10"))
            + "\r\n");
    String out = tmp.resolve("out").toString();

    RunResult result =
        ScoreJob.run(
            spark,
            new ScoreRequest(
                List.of(in.toString()),
                out,
                "bad",
                JobConfig.load(
                    confFile().toFile(), List.of("validation.max-rejected-fraction=1"))));

    assertThat(result.run().accountingOk()).as("8 rows read: 2 scored, 6 rejected").isTrue();
    assertThat(spark.read().parquet(out + "/sequences").count()).isEqualTo(2);
    Map<Long, String> byRow = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .parquet(out + "/rejected")
            .selectExpr("source_row", "reason", "message")
            .collectAsList()) {
      assertThat(r.getString(1)).isEqualTo("MALFORMED_JSON_LINE");
      byRow.put(r.getLong(0), r.getString(2));
    }
    assertThat(byRow).containsOnlyKeys(2L, 3L, 4L, 6L, 7L, 8L);
    assertThat(byRow.get(2L)).contains(file.getFileName() + " line 3: not valid JSON");
    assertThat(byRow.get(3L)).contains("line 4: not a JSON object");
    assertThat(byRow.get(4L))
        .contains("line 5: key prompt_logprobs: expected a list, found the string \"-1.0\"");
    assertThat(byRow.get(6L)).contains("line 7: not valid JSON").contains("doc_id");
    assertThat(byRow.get(7L)).contains("line 8: key doc_id: expected a string or an integer");
    assertThat(byRow.get(8L)).contains("line 9: more than one JSON value on the line");
  }

  @Test
  void aFolderOfBothFormatsIsRefusedNamingOneFileOfEach() throws Exception {
    Path in = tmp.resolve("mixed");
    Shards.write(spark, in, vllmSchema(), vllmRows());
    Files.writeString(in.resolve("more.jsonl"), jsonLines(vllmRows()));
    String out = tmp.resolve("out").toString();

    assertThatThrownBy(
            () -> ScoreJob.run(spark, new ScoreRequest(List.of(in.toString()), out, "m", conf())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("it holds both JSON Lines files (")
        .hasMessageContaining("more.jsonl")
        .hasMessageContaining(".parquet)");
  }

  @Test
  void jsonLinesWithLogitsOrACutGzipStreamAreRefusedNamingTheFile() throws Exception {
    Path logits = Files.createDirectories(tmp.resolve("logits"));
    Files.writeString(
        logits.resolve("l.jsonl"),
        "{\"sequence_id\": \"a\", \"target_ids\": [1], \"logits\": [[0.5, 0.5]]}\n");
    Path cut = Files.createDirectories(tmp.resolve("cut"));
    byte[] gz;
    try (var bytes = new ByteArrayOutputStream();
        var zip = new GZIPOutputStream(bytes)) {
      zip.write(jsonLines(vllmRows()).getBytes(StandardCharsets.UTF_8));
      zip.finish();
      gz = bytes.toByteArray();
    }
    Files.write(cut.resolve("c.jsonl.gz"), Arrays.copyOf(gz, gz.length / 2));
    String out = tmp.resolve("out").toString();

    assertThatThrownBy(
            () ->
                ScoreJob.run(
                    spark,
                    new ScoreRequest(List.of(logits.toString()), out, "l", JobConfig.defaults())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("l.jsonl: its key target_ids is a column of the logits layout");
    assertThatThrownBy(
            () -> ScoreJob.run(spark, new ScoreRequest(List.of(cut.toString()), out, "c", conf())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("c.jsonl.gz: not readable as JSON Lines");
  }

  /** The rows as JSON Lines, the way Python's json.dumps writes them (None as null). */
  static String jsonLines(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    for (Row r : rows) {
      out.append("{\"doc_id\": ").append(r.getLong(0));
      for (int c = 1; c <= 4; c++) {
        out.append(", \"").append(vllmSchema().fieldNames()[c]).append("\": \"");
        out.append(r.getString(c)).append('"');
      }
      out.append(", \"prompt_logprobs\": [");
      Double[] logprobs = (Double[]) r.get(5);
      for (int i = 0; i < logprobs.length; i++) {
        out.append(i == 0 ? "" : ", ").append(logprobs[i] == null ? "null" : logprobs[i]);
      }
      out.append("]}\n");
    }
    return out.toString();
  }

  /**
   * The shape docs/INPUTS.md's transformers recipe writes with pyarrow: float32 lists gathered from
   * log_softmax, shifted (no entry for the first token), entropies from the same logits, the data
   * set's int64 index as id, the job's own column names.
   */
  @Test
  void transformersShapedFloat32ParquetMatchesDuckDb() throws Exception {
    StructType schema =
        new StructType()
            .add("sequence_id", DataTypes.LongType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("text", DataTypes.StringType)
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.FloatType, false))
            .add("token_entropies", DataTypes.createArrayType(DataTypes.FloatType, false));
    List<Row> rows =
        List.of(
            hf(0L, "wiki", "The cat", new Float[] {-2.5f, -0.75f}, new Float[] {3.0f, 1.5f}),
            hf(1L, "wiki", "sat", new Float[] {-4.125f}, new Float[] {2.25f}),
            hf(2L, "code", "x = 1", new Float[] {-0.5f, -0.25f, -1f}, new Float[] {1f, 1f, 2f}));
    Path in = tmp.resolve("hf");
    Shards.write(spark, in, schema, rows);
    String out = tmp.resolve("out").toString();

    RunResult result =
        ScoreJob.run(
            spark, new ScoreRequest(List.of(in.toString()), out, "hf", JobConfig.defaults()));

    assertThat(result.run().accountingOk()).isTrue();
    assertThat(rejectedRows(out)).isZero();
    String source =
        "(SELECT model AS model_name, tokenizer AS tokenizer_name, domain AS task,"
            + " token_logprobs AS prompt_logprobs, text AS prompt FROM read_parquet('"
            + in
            + "/*.parquet'))";
    assertCorpusIsDuckDbsSum(source, out);
    Map<String, double[]> entropy = new TreeMap<>();
    query(
        "SELECT model, tokenizer, domain, sum(list_sum(token_entropies))"
            + " / sum(len(token_logprobs)), 0, 0, 0 FROM read_parquet('"
            + in
            + "/*.parquet') GROUP BY ALL",
        entropy);
    Map<String, double[]> stored = new TreeMap<>();
    query(
        "SELECT model, tokenizer, domain, mean_entropy, 0, 0, 0 FROM read_parquet('"
            + out
            + "/corpus/**/*.parquet') WHERE domain <> '__all__'",
        stored);
    entropy.forEach(
        (key, want) ->
            assertThat(stored.get(key)[0])
                .as("mean_entropy of %s", key)
                .isCloseTo(want[0], within(1e-12)));
  }

  private static Row hf(long id, String domain, String text, Float[] logprobs, Float[] entropies) {
    return RowFactory.create(id, "gpt2", "gpt2", domain, text, logprobs, entropies);
  }

  @Test
  void integerLabelsOfEveryWidthAreReadAsTheirDecimalStrings() {
    StructType schema =
        new StructType()
            .add("sequence_id", DataTypes.LongType)
            .add("model", DataTypes.ByteType)
            .add("tokenizer", DataTypes.ShortType)
            .add("domain", DataTypes.IntegerType)
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
            .add("text", DataTypes.StringType);
    List<Row> rows =
        List.of(
            RowFactory.create(Long.MIN_VALUE, (byte) -128, (short) 32767, 0, lp(-1.0), "a"),
            RowFactory.create(42L, (byte) 7, (short) -1, -2147483648, lp(-2.0), "b"),
            RowFactory.create(null, (byte) 7, (short) -1, 5, lp(-2.0), "c"));
    Path in = tmp.resolve("ints");
    Shards.write(spark, in, schema, rows);
    String out = tmp.resolve("out").toString();

    ScoreJob.run(
        spark,
        new ScoreRequest(
            List.of(in.toString()),
            out,
            "ints",
            JobConfig.load(null, List.of("validation.max-rejected-fraction=1"))));

    assertThat(
            spark
                .read()
                .parquet(out + "/sequences")
                .selectExpr("concat_ws('|', sequence_id, model, tokenizer, domain)")
                .collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactlyInAnyOrder("-9223372036854775808|-128|32767|0", "42|7|-1|-2147483648");
    assertThat(spark.read().parquet(out + "/rejected").selectExpr("reason").collectAsList())
        .extracting(r -> r.getString(0))
        .as("a null integer label is a missing label")
        .containsExactly("MISSING_LABEL");
  }

  private static Double[] lp(Double... values) {
    return values;
  }

  /** vLLM's rows: int64 doc_id, a None first prompt log-prob, the prompt as text. */
  static List<Row> vllmRows() {
    List<Row> rows = new ArrayList<>();
    rows.add(vllm(0L, "llama", "gsm8k", "Hi there", null, -2.25, -0.5));
    rows.add(vllm(1L, "llama", "gsm8k", "Two words", null, -1.0));
    rows.add(vllm(-7L, "llama", "mmlu", "é!", null, -3.5, -0.125, -0.0625));
    rows.add(vllm(Long.MAX_VALUE, "qwen", "mmlu", "BOS-less", -4.0, -1.5));
    rows.add(vllm(2L, "qwen", "gsm8k", "x", null, -0.75));
    return rows;
  }

  static StructType vllmSchema() {
    return new StructType()
        .add("doc_id", DataTypes.LongType)
        .add("model_name", DataTypes.StringType)
        .add("tokenizer_name", DataTypes.StringType)
        .add("task", DataTypes.StringType)
        .add("prompt", DataTypes.StringType)
        .add("prompt_logprobs", DataTypes.createArrayType(DataTypes.DoubleType, true));
  }

  private static Row vllm(long id, String model, String task, String text, Double... logprobs) {
    return RowFactory.create(id, model, model + "-tok", task, text, logprobs);
  }

  JobConfig conf() throws IOException {
    return JobConfig.load(confFile().toFile(), List.of());
  }

  Path confFile() throws IOException {
    Path file = tmp.resolve("vllm.conf");
    Files.writeString(file, VLLM_COLUMNS);
    return file;
  }

  long rejectedRows(String out) {
    Path rejected = Path.of(out, "rejected");
    return Files.exists(rejected) ? spark.read().parquet(rejected.toString()).count() : 0;
  }

  /**
   * corpus/ per model, tokenizer and domain (and the roll-up over domains) against DuckDB's count
   * and sum of the non-null log-prob elements and the UTF-8 bytes of the text.
   */
  void assertCorpusIsDuckDbsSum(String source, String out) throws SQLException {
    String perDomain =
        "SELECT model_name AS model, tokenizer_name AS tokenizer, task AS domain,"
            + " count(*) AS sequences, sum(len(list_filter(prompt_logprobs, x -> x IS NOT NULL)))"
            + " AS tokens, -sum(list_sum(prompt_logprobs)) AS nll_sum,"
            + " sum(octet_length(encode(prompt))) AS bytes FROM "
            + source
            + " GROUP BY ALL";
    Map<String, double[]> expected = new TreeMap<>();
    query(perDomain, expected);
    query(
        "SELECT model, tokenizer, '__all__' AS domain, sum(sequences), sum(tokens), sum(nll_sum),"
            + " sum(bytes) FROM ("
            + perDomain
            + ") GROUP BY ALL",
        expected);
    Map<String, double[]> actual = new TreeMap<>();
    query(
        "SELECT model, tokenizer, domain, sequences, tokens, nll_sum, bytes FROM read_parquet('"
            + out
            + "/corpus/**/*.parquet')",
        actual);
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (key, want) -> {
          double[] got = actual.get(key);
          assertThat(got[0]).as("sequences of %s", key).isEqualTo(want[0]);
          assertThat(got[1]).as("tokens of %s", key).isEqualTo(want[1]);
          assertThat(got[2]).as("nll_sum of %s", key).isCloseTo(want[2], within(1e-12));
          assertThat(got[3]).as("bytes of %s", key).isEqualTo(want[3]);
        });
  }

  private void query(String sql, Map<String, double[]> into) throws SQLException {
    try (Statement s = duck.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        into.put(
            r.getString(1) + "/" + r.getString(2) + "/" + r.getString(3),
            new double[] {r.getDouble(4), r.getDouble(5), r.getDouble(6), r.getDouble(7)});
      }
    }
  }
}
