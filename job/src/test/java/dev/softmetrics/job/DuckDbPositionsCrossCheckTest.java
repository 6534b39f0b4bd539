package dev.softmetrics.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.duckdb.DuckDBDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code positions/} equals DuckDB's per-bucket sums over the input shards: every scored token's
 * 0-based position p (its list index, plus {@code first_position} for a chunk of logits), bucket
 * floor(log2(p + 1)), summed per (model, tokenizer, domain) and over all domains, from none of our
 * code. DuckDB writes the shards too.
 */
class DuckDbPositionsCrossCheckTest extends LocalSparkTest {
  private static final String RUN_ID = "positions-cross-check";

  /**
   * 60 log-prob sequences of 1 to 70 tokens (buckets 0 to 6), two models and three domains; model
   * q's rows with s % 6 = 1 have no entropies, so its groups have no mean_entropy.
   */
  private static final String LOGPROBS_SHARD =
      "WITH seqs AS (SELECT s, ['p', 'q'][s % 2 + 1] AS model, ['x', 'y', 'z'][s % 3 + 1] AS domain,"
          + " 1 + (hash(s, 'n') % 70)::INTEGER AS positions FROM range(60) r(s)),"
          + " pos AS (SELECT s, model, domain, unnest(range(positions)) AS t FROM seqs),"
          + " tok AS (SELECT s, model, domain, t,"
          + "   -(hash(s, t, 'l') % 900)::DOUBLE / 100 - 0.01 AS l,"
          + "   ((hash(s, t, 'h') % 300)::DOUBLE / 100)::FLOAT AS h FROM pos)"
          + " SELECT 'seq-' || s AS sequence_id, model, 'tok' AS tokenizer, domain,"
          + " list(l ORDER BY t) AS token_logprobs,"
          + " CASE WHEN s % 6 = 1 THEN NULL ELSE list(h ORDER BY t) END AS token_entropies,"
          + " 'text of ' || s AS text FROM tok GROUP BY s, model, domain ORDER BY s";

  /**
   * 16 logits sequences of 1 to 20 positions over a vocabulary of 5, cut into chunks of 4 positions
   * ({@code first_position} 0, 4, 8, ...), one row per chunk, logits as one list per position.
   */
  private static final String LOGITS_SHARD =
      "WITH seqs AS (SELECT s, ['a', 'b'][s % 2 + 1] AS model, 1 + (hash(s, 'n') % 20)::INTEGER"
          + " AS positions FROM range(16) r(s)),"
          + " pos AS (SELECT s, model, unnest(range(positions)) AS t FROM seqs),"
          + " cells AS (SELECT s, model, t, unnest(range(5)) AS i FROM pos),"
          + " z AS (SELECT s, model, t, (hash(s, t, 'y') % 5)::INTEGER AS y,"
          + "   list((((hash(s, t, i, 'z') % 1601)::DOUBLE - 800) / 100)::FLOAT ORDER BY i) AS z"
          + "   FROM cells GROUP BY s, model, t)"
          + " SELECT 'seq-' || s AS sequence_id, model, 'tok' AS tokenizer, 'd' AS domain,"
          + " (t // 4 * 4)::BIGINT AS first_position, list(y ORDER BY t) AS target_ids,"
          + " list(z ORDER BY t) AS logits, 'text of ' || s AS text"
          + " FROM z GROUP BY s, model, t // 4 ORDER BY s, first_position";

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
  void logprobPositionsAreDuckDbsBucketSums() throws SQLException {
    String input = shard("logprobs", LOGPROBS_SHARD);
    String output = tmp.resolve("logprobs-out").toString();
    score(input, output);
    String tokens =
        "SELECT model, tokenizer, domain, unnest(token_logprobs) AS l,"
            + " unnest(token_entropies)::DOUBLE AS h,"
            + " generate_subscripts(token_logprobs, 1) - 1 AS p FROM "
            + files(input);
    assertPositions(output, tokens, false);
  }

  @Test
  void logitsPositionsCountFromEachChunksFirstPosition() throws SQLException {
    String input = shard("logits", LOGITS_SHARD);
    String output = tmp.resolve("logits-out").toString();
    score(input, output);
    // Per position: ln q_y = z_y - LSE(z), H = sum_i q_i (LSE(z) - z_i), terms >= 0.
    String positions =
        "SELECT model, tokenizer, domain, first_position, unnest(target_ids) AS y,"
            + " unnest(logits)::DOUBLE[] AS z, generate_subscripts(target_ids, 1) - 1 AS i FROM "
            + files(input);
    String lse =
        "SELECT *, list_max(z) + ln(list_sum(list_transform(z, x -> exp(x - list_max(z)))))"
            + " AS lse FROM positions";
    String tokens =
        "SELECT model, tokenizer, domain, z[y + 1] - lse AS l,"
            + " list_sum(list_transform(z, x -> exp(x - lse) * (lse - x))) AS h,"
            + " first_position + i AS p FROM lse";
    assertPositions(
        output, "WITH positions AS (" + positions + "), lse AS (" + lse + ") " + tokens, true);
  }

  /**
   * positions/ against DuckDB's sums over {@code tokens} (model, tokenizer, domain, log-prob l,
   * entropy h or null, position p), per group and bucket and over all domains; mean_entropy as in
   * corpus/, null when some token of the group (all its buckets) has none.
   */
  private void assertPositions(String output, String tokens, boolean entropyEverywhere)
      throws SQLException {
    String withEntropy =
        "SELECT *, bool_and(h IS NOT NULL) OVER (PARTITION BY model, tokenizer, domain) AS dom_h,"
            + " bool_and(h IS NOT NULL) OVER (PARTITION BY model, tokenizer) AS all_h FROM t";
    String sums =
        " floor(log2(p + 1))::INTEGER AS k, count(*) AS tokens, -sum(l) AS nll_sum,"
            + " sum(h) AS h_sum,";
    String groups =
        "SELECT model, tokenizer, domain,"
            + sums
            + " bool_and(dom_h) AS with_h FROM b GROUP BY model, tokenizer, domain, k"
            + " UNION ALL SELECT model, tokenizer, '__all__' AS domain,"
            + sums
            + " bool_and(all_h) AS with_h FROM b GROUP BY model, tokenizer, k";
    String expected =
        "WITH t AS ("
            + tokens
            + "), b AS ("
            + withEntropy
            + "), g AS ("
            + groups
            + ") SELECT model, tokenizer, domain, k AS position_bucket,"
            + " (2 ** k - 1)::BIGINT AS first_position, (2 ** (k + 1) - 2)::BIGINT AS last_position,"
            + " tokens, nll_sum, nll_sum / tokens AS mean_nll, exp(nll_sum / tokens) AS ppl_token,"
            + " CASE WHEN with_h THEN h_sum / tokens END AS mean_entropy FROM g";
    String[] key = {"model", "tokenizer", "domain", "position_bucket"};
    DuckDbRows tables =
        new DuckDbRows(
            duck, Set.of("position_bucket", "first_position", "last_position", "tokens"), 1e-12);
    var want = tables.rowsByKey(expected, key);
    assertThat(want.keySet()).as("buckets DuckDB finds").hasSizeGreaterThan(8);
    assertThat(want.values().stream().allMatch(r -> r.get("mean_entropy") != null))
        .as("entropy in every group")
        .isEqualTo(entropyEverywhere);
    tables.assertSameRows(
        "positions/",
        want,
        tables.rowsByKey(
            "SELECT * EXCLUDE (run_id) FROM read_parquet('" + output + "/positions/*.parquet')",
            key));
  }

  private static void score(String input, String output) {
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, RUN_ID, JobConfig.defaults()));
    assertThat(spark.read().parquet(output + "/rejected").count()).as("rows rejected").isZero();
  }

  private String shard(String name, String sql) throws SQLException {
    Path dir = tmp.resolve(name);
    assertThat(dir.toFile().mkdirs()).isTrue();
    try (Statement s = duck.createStatement()) {
      s.execute("COPY (" + sql + ") TO '" + dir + "/shard.parquet' (FORMAT parquet)");
    }
    return dir.toString();
  }

  private static String files(String input) {
    return "read_parquet('" + input + "/*.parquet')";
  }
}
