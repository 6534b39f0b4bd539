package dev.softmetrics.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.report.RunSummary;
import dev.softmetrics.job.score.RunResult;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.duckdb.DuckDBDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code labels.extra = [step]}: an RL run's checkpoints scored side by side. The same sequence ids
 * appear at both steps, by both models; corpus/, positions/ and comparisons/ group by step, checked
 * against DuckDB's GROUP BY over the fixture (which DuckDB writes), with no code of the job.
 */
class DuckDbExtraLabelsTest extends LocalSparkTest {

  /**
   * 12 ids x steps 100 and 200 (an int64 column) x models p and q, 1 to 40 tokens each, domains x
   * and y by id: every id is scored by both models at both steps.
   */
  private static final String SHARD =
      "WITH seqs AS (SELECT i, step, m, 1 + (hash(i, step, m) % 40)::INTEGER AS n"
          + " FROM range(12) r(i), (VALUES (100), (200)) s(step), (VALUES ('p'), ('q')) mm(m)),"
          + " tok AS (SELECT i, step, m, unnest(range(n)) AS t FROM seqs)"
          + " SELECT 'seq-' || i AS sequence_id, m AS model, 'tok' AS tokenizer,"
          + " ['x', 'y'][i % 2 + 1] AS domain, step::BIGINT AS step,"
          + " list(-(hash(i, step, m, t) % 700)::DOUBLE / 100 - 0.01 ORDER BY t) AS token_logprobs,"
          + " 'text ' || i || ' at ' || step AS text FROM tok GROUP BY i, step, m ORDER BY i, step, m";

  private static final JobConfig BY_STEP = JobConfig.load(null, List.of("labels.extra=step"));

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
  void corpusGroupsByStepAsDuckDbsGroupBy() throws SQLException {
    String input = shard("in", SHARD);
    String output = score(input, "corpus");
    String rows =
        "SELECT model, tokenizer, step::VARCHAR AS step, domain, len(token_logprobs) AS n,"
            + " -list_sum(token_logprobs) AS nll, strlen(text) AS b FROM "
            + files(input);
    String sums = " count(*) AS sequences, sum(n) AS tokens, sum(b) AS bytes, sum(nll) AS nll_sum";
    String expected =
        "WITH r AS ("
            + rows
            + ") SELECT model, tokenizer, step, domain,"
            + sums
            + " FROM r GROUP BY ALL UNION ALL SELECT model, tokenizer, step, '__all__',"
            + sums
            + " FROM r GROUP BY model, tokenizer, step";
    String[] key = {"model", "tokenizer", "step", "domain"};
    DuckDbRows tables = new DuckDbRows(duck, Set.of("sequences", "tokens", "bytes"), 1e-12);
    var want = tables.rowsByKey(expected, key);
    assertThat(want).as("2 models x 2 steps x (2 domains + __all__)").hasSize(12);
    tables.assertSameRows(
        "corpus/",
        want,
        tables.rowsByKey(
            "SELECT model, tokenizer, step, domain, sequences, tokens, bytes, nll_sum FROM "
                + files(output + "/corpus"),
            key));
    assertThat(columns(output + "/corpus").subList(0, 5))
        .containsExactly("run_id", "model", "tokenizer", "step", "domain");
    assertThat(columns(output + "/sequences").subList(0, 6))
        .containsExactly("run_id", "sequence_id", "model", "tokenizer", "step", "domain");
  }

  @Test
  void positionsGroupByStepAsDuckDbsBucketSums() throws SQLException {
    String input = shard("in", SHARD);
    String output = score(input, "positions");
    String tokens =
        "SELECT model, tokenizer, step::VARCHAR AS step, domain, unnest(token_logprobs) AS l,"
            + " generate_subscripts(token_logprobs, 1) - 1 AS p FROM "
            + files(input);
    String sums = " floor(log2(p + 1))::INTEGER AS k, count(*) AS tokens, -sum(l) AS nll_sum";
    String expected =
        "WITH t AS ("
            + tokens
            + ") SELECT model, tokenizer, step, domain,"
            + sums
            + " FROM t GROUP BY model, tokenizer, step, domain, k"
            + " UNION ALL SELECT model, tokenizer, step, '__all__',"
            + sums
            + " FROM t GROUP BY model, tokenizer, step, k";
    String[] key = {"model", "tokenizer", "step", "domain", "k"};
    DuckDbRows tables = new DuckDbRows(duck, Set.of("k", "tokens"), 1e-12);
    var want = tables.rowsByKey(expected, key);
    assertThat(want.keySet()).hasSizeGreaterThan(40);
    tables.assertSameRows(
        "positions/",
        want,
        tables.rowsByKey(
            "SELECT model, tokenizer, step, domain, position_bucket AS k, tokens, nll_sum FROM "
                + files(output + "/positions"),
            key));
    assertThat(columns(output + "/positions").subList(0, 5))
        .containsExactly("run_id", "model", "tokenizer", "step", "domain");
  }

  @Test
  void comparisonsPairModelsOnlyWithinAStep() throws SQLException {
    String input = shard("in", SHARD);
    String output = score(input, "comparisons");
    String rows =
        "SELECT model, step::VARCHAR AS step, domain, -list_sum(token_logprobs) AS nll,"
            + " len(token_logprobs) AS n, strlen(text) AS b FROM "
            + files(input);
    String sides =
        " count(*) AS sequences, sum(a.nll) / ln(2) / sum(a.b) AS bits_per_byte_a,"
            + " sum(c.nll) / ln(2) / sum(c.b) AS bits_per_byte_b,"
            + " sum(a.nll) / sum(a.n) AS mean_nll_a, sum(c.nll) / sum(c.n) AS mean_nll_b";
    // The pairs: p's and q's rows of one id at one step.
    String pairs =
        "FROM r a JOIN r c ON a.model = 'p' AND c.model = 'q' AND a.step = c.step"
            + " AND a.domain = c.domain AND a.id = c.id";
    String expected =
        "WITH r AS ("
            + rows.replace("SELECT model,", "SELECT sequence_id AS id, model,")
            + ") SELECT a.step, a.domain,"
            + sides
            + " "
            + pairs
            + " GROUP BY a.step, a.domain UNION ALL SELECT a.step, '__all__',"
            + sides
            + " "
            + pairs
            + " GROUP BY a.step";
    String[] key = {"step", "domain"};
    DuckDbRows tables = new DuckDbRows(duck, Set.of("sequences"), 1e-12);
    var want = tables.rowsByKey(expected, key);
    assertThat(want).as("2 steps x (2 domains + __all__)").hasSize(6);
    tables.assertSameRows(
        "comparisons/",
        want,
        tables.rowsByKey(
            "SELECT step, domain, sequences, bits_per_byte_a, bits_per_byte_b, mean_nll_a,"
                + " mean_nll_b FROM "
                + files(output + "/comparisons")
                + " WHERE model_a = 'p' AND model_b = 'q'",
            key));
    List<Row> all = spark.read().parquet(output + "/comparisons").collectAsList();
    assertThat(all).as("only p against q, per step and domain").hasSize(6);
    assertThat(columns(output + "/comparisons").subList(0, 7))
        .containsExactly(
            "run_id", "model_a", "tokenizer_a", "model_b", "tokenizer_b", "step", "domain");
  }

  /**
   * The logits layout: ids 0 to 5 at steps 1 and 2, cut into chunks of 3 positions; a sequence is
   * assembled from the chunks of its own step only.
   */
  @Test
  void logitsChunksAssembleWithinTheirStep() throws SQLException {
    String input =
        shard(
            "logits",
            "WITH seqs AS (SELECT i, step, 1 + (hash(i, step) % 8)::INTEGER AS n"
                + " FROM range(6) r(i), (VALUES (1), (2)) s(step)),"
                + " pos AS (SELECT i, step, unnest(range(n)) AS t FROM seqs)"
                + " SELECT 'seq-' || i AS sequence_id, 'm' AS model, 'tok' AS tokenizer,"
                + " 'd' AS domain, step::INTEGER AS step, (t // 3 * 3)::BIGINT AS first_position,"
                + " list((hash(i, step, t) % 4)::INTEGER ORDER BY t) AS target_ids,"
                + " list([0.5, -1.0, 2.0, 0.25]::FLOAT[] ORDER BY t) AS logits,"
                + " 'text ' || i AS text FROM pos GROUP BY i, step, t // 3");
    String output = score(input, "logits");

    DuckDbRows tables = new DuckDbRows(duck, Set.of("sequences", "tokens"), 0);
    String[] key = {"step", "domain"};
    tables.assertSameRows(
        "corpus/",
        tables.rowsByKey(
            "SELECT step::VARCHAR AS step, domain, count(DISTINCT sequence_id) AS sequences,"
                + " sum(len(target_ids)) AS tokens FROM "
                + files(input)
                + " GROUP BY ALL UNION ALL SELECT step::VARCHAR, '__all__',"
                + " count(DISTINCT sequence_id), sum(len(target_ids)) FROM "
                + files(input)
                + " GROUP BY step",
            key),
        tables.rowsByKey(
            "SELECT step, domain, sequences, tokens FROM " + files(output + "/corpus"), key));
  }

  @Test
  void anExtraLabelFromKeyValueFoldersGroupsLikeAColumnAndIsInTheSummary() throws SQLException {
    Path in = tmp.resolve("folders");
    for (int step : new int[] {100, 200}) {
      Path dir = in.resolve("step=" + step);
      assertThat(dir.toFile().mkdirs()).isTrue();
      try (Statement s = duck.createStatement()) {
        s.execute(
            "COPY (SELECT * EXCLUDE (step) FROM ("
                + SHARD
                + ") WHERE step = "
                + step
                + ") TO '"
                + dir
                + "/part.parquet' (FORMAT parquet)");
      }
    }
    String output = tmp.resolve("folders-out").toString();
    RunResult result =
        ScoreJob.run(spark, new ScoreRequest(List.of(in.toString()), output, "f", BY_STEP));

    DuckDbRows tables = new DuckDbRows(duck, Set.of("sequences", "tokens"), 0);
    String[] key = {"model", "step", "domain"};
    tables.assertSameRows(
        "corpus/",
        tables.rowsByKey(
            "SELECT model, step::VARCHAR AS step, domain, count(*) AS sequences,"
                + " sum(len(token_logprobs)) AS tokens FROM ("
                + SHARD
                + ") GROUP BY ALL",
            key),
        tables.rowsByKey(
            "SELECT model, step, domain, sequences, tokens FROM "
                + files(output + "/corpus")
                + " WHERE domain <> '__all__'",
            key));
    String table = RunSummary.table(result.corpus(), List.of("step"), 50);
    assertThat(table.lines().findFirst().orElseThrow().split(" +"))
        .startsWith("model", "tokenizer", "step", "domain");
    assertThat(table).containsPattern("(?m)^p +tok +200 +y ");
  }

  @Test
  void aMissingExtraLabelColumnIsRefusedNamingIt() throws SQLException {
    String input = shard("in", SHARD);
    JobConfig bySplit = JobConfig.load(null, List.of("labels.extra=split"));
    String output = tmp.resolve("missing").toString();

    assertThatThrownBy(
            () -> ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "m", bySplit)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Missing column split");
  }

  @Test
  void aNullExtraLabelRejectsItsRowAsAMissingLabel() throws SQLException {
    String input =
        shard(
            "nulls",
            "SELECT * REPLACE (CASE WHEN sequence_id = 'seq-3' AND model = 'q' AND step = 200"
                + " THEN NULL ELSE step END AS step) FROM ("
                + SHARD
                + ")");
    String output = tmp.resolve("nulls-out").toString();

    RunResult result = ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "n", BY_STEP));

    assertThat(result.run().accountingOk()).isTrue();
    List<Row> rejected =
        spark.read().parquet(output + "/rejected").select("reason", "message").collectAsList();
    assertThat(rejected).hasSize(1);
    assertThat(rejected.get(0).getString(0)).isEqualTo("MISSING_LABEL");
    assertThat(rejected.get(0).getString(1)).startsWith("Missing label step (null or empty)");
    assertThat(spark.read().parquet(output + "/sequences").count()).isEqualTo(47);
  }

  @Test
  void anOutputScoredWithOtherExtraLabelsIsRefused() throws SQLException {
    String first = shard("first", SHARD + " LIMIT 24");
    String second = shard("second", "SELECT * FROM (" + SHARD + ") OFFSET 24");
    String output = score(first, "mixed");

    assertThatThrownBy(
            () ->
                ScoreJob.run(
                    spark,
                    new ScoreRequest(List.of(second), output, "other", JobConfig.defaults())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid labels.extra [] for --output")
        .hasMessageContaining("holds rows scored with labels.extra [step]");
  }

  @Test
  void twoRunsIntoOneOutputGiveTheTablesOfOneRun() throws SQLException {
    String whole = score(shard("whole", SHARD), "one-run");
    String output = score(shard("first", SHARD + " LIMIT 24"), "two-runs");
    // ids 6 to 11; corpus/ and comparisons/ are then recomputed from the stored sequences/.
    String second = shard("second", "SELECT * FROM (" + SHARD + ") OFFSET 24");
    ScoreJob.run(spark, new ScoreRequest(List.of(second), output, "second", BY_STEP));

    DuckDbRows tables = new DuckDbRows(duck, Set.of("sequences", "tokens", "bytes"), 0);
    String corpus =
        "SELECT model, tokenizer, step, domain, sequences, tokens, bytes, nll_sum,"
            + " bits_per_byte_ci_low, bits_per_byte_ci_high FROM ";
    String[] key = {"model", "tokenizer", "step", "domain"};
    tables.assertSameRows(
        "corpus/",
        tables.rowsByKey(corpus + files(whole + "/corpus"), key),
        tables.rowsByKey(corpus + files(output + "/corpus"), key));
    String comparisons =
        "SELECT model_a, model_b, step, domain, sequences, bits_per_byte_diff,"
            + " bits_per_byte_diff_ci_low, bits_per_byte_diff_ci_high FROM ";
    String[] pair = {"model_a", "model_b", "step", "domain"};
    tables.assertSameRows(
        "comparisons/",
        tables.rowsByKey(comparisons + files(whole + "/comparisons"), pair),
        tables.rowsByKey(comparisons + files(output + "/comparisons"), pair));
  }

  @Test
  void aSequenceStoredAtTheSameStepIsADuplicateAndAtAnotherStepIsNot() throws SQLException {
    String output = score(shard("first", SHARD + " LIMIT 24"), "dup");
    // seq-0 of p at step 100 again, and at a step no row has: one duplicate, one new sequence.
    String again =
        shard(
            "again",
            "SELECT * FROM ("
                + SHARD
                + ") WHERE sequence_id = 'seq-0' AND model = 'p' AND step = 100"
                + " UNION ALL SELECT * REPLACE (300::BIGINT AS step) FROM ("
                + SHARD
                + ") WHERE sequence_id = 'seq-0' AND model = 'p' AND step = 100");
    ScoreJob.run(
        spark,
        new ScoreRequest(
            List.of(again),
            output,
            "again",
            JobConfig.load(
                null, List.of("labels.extra=step", "validation.max-rejected-fraction=1"))));

    List<Row> rejected =
        spark.read().parquet(output + "/rejected").select("reason").collectAsList();
    assertThat(rejected).extracting(r -> r.getString(0)).containsExactly("DUPLICATE_SEQUENCE");
    assertThat(
            spark
                .read()
                .parquet(output + "/sequences")
                .where("sequence_id = 'seq-0' AND model = 'p'")
                .select("step")
                .collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactlyInAnyOrder("100", "200", "300");
  }

  private String score(String input, String name) {
    String output = tmp.resolve(name + "-out").toString();
    RunResult result = ScoreJob.run(spark, new ScoreRequest(List.of(input), output, name, BY_STEP));
    assertThat(result.run().accountingOk()).isTrue();
    assertThat(spark.read().parquet(output + "/rejected").count()).as("rows rejected").isZero();
    return output;
  }

  private List<String> columns(String table) {
    return Arrays.asList(spark.read().parquet(table).schema().fieldNames());
  }

  private String shard(String name, String sql) throws SQLException {
    Path dir = tmp.resolve(name);
    assertThat(dir.toFile().mkdirs()).isTrue();
    try (Statement s = duck.createStatement()) {
      s.execute("COPY (" + sql + ") TO '" + dir + "/shard.parquet' (FORMAT parquet)");
    }
    return dir.toString();
  }

  private static String files(String table) {
    return "read_parquet('" + table + "/**/*.parquet')";
  }
}
