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
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.duckdb.DuckDBDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soft-metric columns of {@code sequences/} and {@code corpus/} (entropy, both KLs and the
 * cross-entropy from logits; the k1-k3 estimates and the top-k entropy bounds from log-probs; the
 * flags they raise) recomputed in DuckDB SQL from the input shards, from METRICS.md's definitions
 * and none of our code. DuckDB also writes the shards: logits with -inf where both, one or the
 * other distribution gives a token no mass, against logits whose probability underflows.
 */
class DuckDbSoftMetricsCrossCheckTest extends LocalSparkTest {
  private static final String RUN_ID = "soft-cross-check";
  private static final double RELATIVE_TOLERANCE = 1e-12;
  private static final String NEG_INF = "'-inf'::DOUBLE";
  private static final String POS_INF = "'inf'::DOUBLE";

  private static final String SOFT =
      "mean_entropy, kl_forward, kl_reverse, cross_entropy_ref, kl_k1, kl_k2, kl_k3,"
          + " entropy_lower, entropy_upper";

  private static final String PER_SEQUENCE =
      "kl_reverse_per_sequence, kl_k1_per_sequence, kl_k3_per_sequence";

  /**
   * The flags from the corpus columns and the group's vocabulary size {@code vocab}, with
   * reference.conf's thresholds: entropy collapse below 0.1 nats, uniform-like at 0.9 ln V, KL
   * warning above 5 and alarm above 10 (KL(model || reference) per token: kl_reverse, else k1).
   */
  private static final String FLAGS =
      "concat_ws(',',"
          + " CASE WHEN coalesce(mean_entropy, entropy_upper) < 0.1 THEN 'ENTROPY_COLLAPSE' END,"
          + " CASE WHEN vocab > 1 AND (coalesce(mean_entropy, entropy_lower) >= 0.9 * ln(vocab)"
          + "   OR mean_nll >= 0.9 * ln(vocab)) THEN 'UNIFORM_LIKE' END,"
          + " CASE WHEN coalesce(kl_reverse, kl_k1) > 10 THEN 'KL_ALARM'"
          + "   WHEN coalesce(kl_reverse, kl_k1) > 5 THEN 'KL_WARNING' END) AS flags";

  @TempDir Path tmp;

  private Connection duck;
  private DuckDbRows tables;

  @BeforeEach
  void openDuckDb() throws SQLException {
    duck = new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
    tables = new DuckDbRows(duck, Set.of("tokens", "sequences", "vocab_size"), RELATIVE_TOLERANCE);
  }

  @AfterEach
  void closeDuckDb() throws SQLException {
    duck.close();
  }

  @Test
  void logitsEntropyKlAndCrossEntropyMatchDuckDb() throws SQLException {
    String input = tmp.resolve("logits").toString();
    String output = tmp.resolve("logits-out").toString();
    execute(
        "COPY (" + LOGITS_SHARD + ") TO '" + mkdirs(input) + "/logits.parquet' (FORMAT parquet)");
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, RUN_ID, JobConfig.defaults()));

    String perPosition = logitsPerPosition(input);
    String sequences =
        "WITH p AS ("
            + perPosition
            + ") SELECT sequence_id, model, tokenizer, domain, any_value(v)::BIGINT AS vocab_size,"
            + " count(*) AS tokens, sum(nll) AS nll_sum, sum(entropy) AS entropy_sum,"
            + " sum(kl_forward) AS kl_forward_sum, sum(kl_reverse) AS kl_reverse_sum,"
            + " sum(cross_entropy) AS cross_entropy_sum, NULL::DOUBLE AS k1_sum,"
            + " NULL::DOUBLE AS k2_sum, NULL::DOUBLE AS k3_sum, NULL::DOUBLE AS lower_sum,"
            + " NULL::DOUBLE AS upper_sum FROM p GROUP BY sequence_id, model, tokenizer, domain";
    Map<String, Object> shape =
        tables.single(
            "WITH s AS ("
                + sequences
                + ") SELECT count(*) FILTER (WHERE kl_forward_sum = "
                + POS_INF
                + ") AS forward_infinite, count(*) FILTER (WHERE kl_reverse_sum = "
                + POS_INF
                + ") AS reverse_infinite, count(*) FILTER (WHERE isnan(kl_forward_sum)"
                + " OR isnan(kl_reverse_sum) OR isnan(entropy_sum)) AS nan FROM s");
    assertThat(shape)
        .as("DuckDB's sequences with an infinite KL, and with a NaN")
        .containsEntry("forward_infinite", 6L)
        .containsEntry("reverse_infinite", 6L)
        .containsEntry("nan", 0L);
    assertMatches(output, sequences);
  }

  @Test
  void logprobExtrasKlEstimatesAndEntropyBoundsMatchDuckDb() throws SQLException {
    String input = tmp.resolve("logprobs").toString();
    String output = tmp.resolve("logprobs-out").toString();
    execute(
        "COPY ("
            + LOGPROBS_SHARD
            + ") TO '"
            + mkdirs(input)
            + "/logprobs.parquet' (FORMAT parquet)");
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, RUN_ID, JobConfig.defaults()));

    String tokens =
        "SELECT sequence_id, model, tokenizer, domain, vocab_size AS v,"
            + " unnest(token_logprobs) AS l, unnest(ref_logprobs) AS lr,"
            + " unnest(token_entropies)::DOUBLE AS h, unnest(top_logprobs) AS top"
            + " FROM read_parquet('"
            + input
            + "/*.parquet')";
    // Top-k: H_k = -sum p_i ln p_i, tail mass m = 1 - sum p_i, bounds
    // [H_k - m ln min(p_k, m), H_k + m ln((V - k) / m)]; d = ln pi_ref - ln pi.
    String bounds =
        "SELECT *, lr - l AS d, len(top) AS k,"
            + " list_sum(list_transform(top, x -> -exp(x) * x)) AS hk,"
            + " greatest(0, 1 - list_sum(list_transform(top, x -> exp(x)))) AS m,"
            + " list_min(list_transform(top, x -> exp(x))) AS p_min FROM t";
    String sequences =
        "WITH t AS ("
            + tokens
            + "), b AS ("
            + bounds
            + ") SELECT sequence_id, model, tokenizer, domain, any_value(v)::BIGINT AS vocab_size,"
            + " count(*) AS tokens, -sum(l) AS nll_sum, sum(h) AS entropy_sum,"
            + " NULL::DOUBLE AS kl_forward_sum, NULL::DOUBLE AS kl_reverse_sum,"
            + " NULL::DOUBLE AS cross_entropy_sum, sum(-d) AS k1_sum, sum(d * d / 2) AS k2_sum,"
            + " sum(exp(d) - 1 - d) AS k3_sum,"
            + " sum(CASE WHEN m = 0 THEN hk ELSE hk - m * ln(least(p_min, m)) END) AS lower_sum,"
            + " sum(CASE WHEN m = 0 THEN hk ELSE hk + m * ln((v - k) / m) END) AS upper_sum"
            + " FROM b GROUP BY sequence_id, model, tokenizer, domain";
    assertMatches(output, sequences);
  }

  /**
   * sequences/ and corpus/ hold the means per token of DuckDB's sums per sequence ({@code
   * sequences} has the columns of {@link #logitsEntropyKlAndCrossEntropyMatchDuckDb}'s query);
   * corpus/ pools them over the tokens of each (model, tokenizer, domain) and of each (model,
   * tokenizer), and raises the flags DuckDB finds.
   */
  private void assertMatches(String output, String sequences) throws SQLException {
    String means =
        "SELECT sequence_id, model, tokenizer, domain, vocab_size, tokens, nll_sum,"
            + " entropy_sum / tokens AS mean_entropy, kl_forward_sum / tokens AS kl_forward,"
            + " kl_reverse_sum / tokens AS kl_reverse,"
            + " cross_entropy_sum / tokens AS cross_entropy_ref, k1_sum / tokens AS kl_k1,"
            + " k2_sum / tokens AS kl_k2, k3_sum / tokens AS kl_k3,"
            + " lower_sum / tokens AS entropy_lower, upper_sum / tokens AS entropy_upper FROM s";
    String[] sequenceKey = {"sequence_id", "model", "tokenizer"};
    tables.assertSameRows(
        "sequences/",
        tables.rowsByKey("WITH s AS (" + sequences + ") " + means, sequenceKey),
        tables.rowsByKey(
            "SELECT sequence_id, model, tokenizer, domain, vocab_size, tokens, nll_sum, "
                + SOFT
                + " FROM "
                + table(output, "sequences"),
            sequenceKey));

    String sums =
        " count(*) AS sequences, sum(tokens) AS tokens, max(vocab_size) AS vocab, sum(nll_sum) AS nll_sum,"
            + " sum(entropy_sum) AS entropy_sum, sum(kl_forward_sum) AS kl_forward_sum,"
            + " sum(kl_reverse_sum) AS kl_reverse_sum, sum(cross_entropy_sum) AS cross_entropy_sum,"
            + " sum(k1_sum) AS k1_sum, sum(k2_sum) AS k2_sum, sum(k3_sum) AS k3_sum,"
            + " sum(lower_sum) AS lower_sum, sum(upper_sum) AS upper_sum FROM s";
    String groups =
        "SELECT model, tokenizer, domain,"
            + sums
            + " GROUP BY model, tokenizer, domain UNION ALL SELECT model, tokenizer,"
            + " '__all__' AS domain,"
            + sums
            + " GROUP BY model, tokenizer";
    String corpusMeans =
        "SELECT model, tokenizer, domain, tokens, vocab, nll_sum / tokens AS mean_nll,"
            + " entropy_sum / tokens AS mean_entropy, kl_forward_sum / tokens AS kl_forward,"
            + " kl_reverse_sum / tokens AS kl_reverse,"
            + " cross_entropy_sum / tokens AS cross_entropy_ref, k1_sum / tokens AS kl_k1,"
            + " k2_sum / tokens AS kl_k2, k3_sum / tokens AS kl_k3,"
            + " lower_sum / tokens AS entropy_lower, upper_sum / tokens AS entropy_upper,"
            + " kl_reverse_sum / sequences AS kl_reverse_per_sequence,"
            + " k1_sum / sequences AS kl_k1_per_sequence,"
            + " k3_sum / sequences AS kl_k3_per_sequence FROM g";
    String[] corpusKey = {"model", "tokenizer", "domain"};
    tables.assertSameRows(
        "corpus/",
        tables.rowsByKey(
            "WITH s AS ("
                + sequences
                + "), g AS ("
                + groups
                + "), c AS ("
                + corpusMeans
                + ") SELECT model, tokenizer, domain, tokens, mean_nll, "
                + SOFT
                + ", "
                + PER_SEQUENCE
                + ", "
                + FLAGS
                + " FROM c",
            corpusKey),
        tables.rowsByKey(
            "SELECT model, tokenizer, domain, tokens, mean_nll, "
                + SOFT
                + ", "
                + PER_SEQUENCE
                + ", CASE WHEN len(flags) = 0 THEN '' ELSE array_to_string(flags, ',') END AS flags"
                + " FROM "
                + table(output, "corpus"),
            corpusKey));
  }

  /**
   * One row per (sequence, position) of a flat-logits shard: the NLL of the target, the entropy,
   * both KLs and the cross-entropy H(P_ref, Q) = -sum p_i ln q_i (not H + KL), from the stable
   * log-softmax ln q_i = z_i - m - ln sum_j exp(z_j - m). A term where the first distribution's
   * logit is -inf is 0; where only the second's is, +inf.
   */
  private static String logitsPerPosition(String input) {
    String cells =
        "SELECT sequence_id, model, tokenizer, domain, vocab_size AS v, target_ids,"
            + " unnest(logits)::DOUBLE AS z, unnest(ref_logits)::DOUBLE AS r,"
            + " generate_subscripts(logits, 1) - 1 AS n FROM read_parquet('"
            + input
            + "/*.parquet')";
    String positions = "SELECT *, n // v AS t, n % v AS i, target_ids[n // v + 1] AS y FROM cells";
    String maxima =
        "SELECT sequence_id, model, tokenizer, t, max(z) AS mz, max(r) AS mr FROM positions"
            + " GROUP BY sequence_id, model, tokenizer, t";
    String logSumExps =
        "SELECT sequence_id, model, tokenizer, t,"
            + " any_value(mz) + ln(sum(exp(z - mz))) AS lse_z,"
            + " any_value(mr) + ln(sum(exp(r - mr))) AS lse_r"
            + " FROM positions JOIN maxima USING (sequence_id, model, tokenizer, t)"
            + " GROUP BY sequence_id, model, tokenizer, t";
    String logs =
        "SELECT positions.*, z - lse_z AS lq, r - lse_r AS lp"
            + " FROM positions JOIN lse USING (sequence_id, model, tokenizer, t)";
    return "WITH cells AS ("
        + cells
        + "), positions AS ("
        + positions
        + "), maxima AS ("
        + maxima
        + "), lse AS ("
        + logSumExps
        + "), logs AS ("
        + logs
        + ") SELECT sequence_id, model, tokenizer, domain, v, t,"
        + " sum(CASE WHEN i = y THEN -lq ELSE 0 END) AS nll,"
        + (" sum(CASE WHEN z = " + NEG_INF + " THEN 0 ELSE -exp(lq) * lq END) AS entropy,")
        + klTerm("kl_forward", "r", "z", "exp(lp) * (lp - lq)")
        + ","
        + klTerm("kl_reverse", "z", "r", "exp(lq) * (lq - lp)")
        + ","
        + klTerm("cross_entropy", "r", "z", "-exp(lp) * lq")
        + " FROM logs GROUP BY sequence_id, model, tokenizer, domain, v, t";
  }

  /** sum_i of {@code term}: 0 where logit {@code a} is -inf, else +inf where {@code b} is. */
  private static String klTerm(String name, String a, String b, String term) {
    return " sum(CASE WHEN "
        + a
        + " = "
        + NEG_INF
        + " THEN 0 WHEN "
        + b
        + " = "
        + NEG_INF
        + " THEN "
        + POS_INF
        + " ELSE "
        + term
        + " END) AS "
        + name;
  }

  /**
   * 48 sequences of 1-3 positions in flat {@code list<float>} logits with reference logits, V = 11
   * (model a) or 17 (model b): logits in [-8, 8], target token 0 or 5. Domain masked: both -inf at
   * every fifth token. Domain zero-in-model (model a): the model's logit -inf where the reference's
   * is -1000 (the reference's probability underflows), and -900 at the token before; zero-in-ref:
   * the mirror image.
   */
  private static final String LOGITS_SHARD =
      "WITH seqs AS (SELECT s, CASE WHEN s % 8 < 4 THEN 'a' ELSE 'b' END AS model,"
          + " CASE WHEN s % 8 < 4 THEN ['plain', 'masked', 'zero-in-model', 'zero-in-ref'][s % 4 + 1]"
          + "   ELSE ['plain', 'masked'][s % 2 + 1] END AS domain,"
          + " 1 + s % 3 AS positions, CASE WHEN s % 8 < 4 THEN 11 ELSE 17 END AS vocab"
          + " FROM range(48) r(s)),"
          + " pos AS (SELECT s, model, domain, vocab, unnest(range(positions)) AS t FROM seqs),"
          + " cells AS (SELECT s, model, domain, vocab, t, unnest(range(vocab)) AS i FROM pos),"
          + " random AS (SELECT *,"
          + "   ((hash(s, t, i, 'z') % 1601)::DOUBLE - 800) / 100 AS zr,"
          + "   ((hash(s, t, i, 'r') % 1601)::DOUBLE - 800) / 100 AS rr FROM cells),"
          + " marked AS (SELECT s, model, domain, vocab, t, i,"
          + "   CASE WHEN domain = 'masked' AND i % 5 = 4 THEN '-inf'::FLOAT"
          + "     WHEN domain = 'zero-in-model' AND i = vocab - 1 THEN '-inf'::FLOAT"
          + "     WHEN domain = 'zero-in-model' AND i = vocab - 2 THEN -900::FLOAT"
          + "     WHEN domain = 'zero-in-ref' AND i = vocab - 1 THEN -1000::FLOAT"
          + "     ELSE zr::FLOAT END AS z,"
          + "   CASE WHEN domain = 'masked' AND i % 5 = 4 THEN '-inf'::FLOAT"
          + "     WHEN domain = 'zero-in-model' AND i = vocab - 1 THEN -1000::FLOAT"
          + "     WHEN domain = 'zero-in-ref' AND i = vocab - 1 THEN '-inf'::FLOAT"
          + "     WHEN domain = 'zero-in-ref' AND i = vocab - 2 THEN -900::FLOAT"
          + "     ELSE rr::FLOAT END AS r FROM random),"
          + " rows_ AS (SELECT s, model, domain, vocab, t, (hash(s, t, 'y') % 2)::INTEGER * 5 AS y,"
          + "   list(z ORDER BY i) AS z, list(r ORDER BY i) AS r FROM marked"
          + "   GROUP BY s, model, domain, vocab, t)"
          + " SELECT 'seq-' || s AS sequence_id, model, 'tok' AS tokenizer, domain,"
          + " 0 AS first_position, list(y ORDER BY t) AS target_ids, vocab::INTEGER AS vocab_size,"
          + " flatten(list(z ORDER BY t)) AS logits, flatten(list(r ORDER BY t)) AS ref_logits,"
          + " 'text of ' || s AS text FROM rows_ GROUP BY s, model, domain, vocab ORDER BY s";

  /**
   * 36 sequences of 1-4 tokens with log-probs, engine entropies, reference log-probs and 1-3 top-k
   * log-probs (probabilities f/2, f/4, f/8 with f in [0.5, 1)) per token, V = 50.
   */
  private static final String LOGPROBS_SHARD =
      "WITH seqs AS (SELECT s, ['p', 'q'][s % 2 + 1] AS model, ['x', 'y', 'z'][s % 3 + 1] AS domain,"
          + " 1 + s % 4 AS positions FROM range(36) r(s)),"
          + " pos AS (SELECT s, model, domain, unnest(range(positions)) AS t FROM seqs),"
          + " tok AS (SELECT s, model, domain, t,"
          + "   -(hash(s, t, 'l') % 400)::DOUBLE / 100 - 0.05 AS l,"
          + "   -(hash(s, t, 'r') % 400)::DOUBLE / 100 - 0.05 AS lr,"
          + "   ((hash(s, t, 'h') % 300)::DOUBLE / 100)::FLOAT AS h,"
          + "   (1 + hash(s, t, 'k') % 3)::BIGINT AS k,"
          + "   0.5 + (hash(s, t, 'f') % 500)::DOUBLE / 1000 AS f FROM pos),"
          + " top AS (SELECT *, list_transform(range(k), j -> ln(f * 0.5 ^ (j + 1))) AS top"
          + "   FROM tok)"
          + " SELECT 'seq-' || s AS sequence_id, model, 'tok' AS tokenizer, domain,"
          + " list(l ORDER BY t) AS token_logprobs, list(h ORDER BY t) AS token_entropies,"
          + " list(lr ORDER BY t) AS ref_logprobs, list(top ORDER BY t) AS top_logprobs,"
          + " 50 AS vocab_size, 'text of ' || s AS text FROM top GROUP BY s, model, domain"
          + " ORDER BY s";

  private void execute(String sql) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute(sql);
    }
  }

  private static String mkdirs(String folder) {
    assertThat(Path.of(folder).toFile().mkdirs()).as("created %s", folder).isTrue();
    return folder;
  }

  private static String table(String output, String name) {
    return "read_parquet('" + output + "/" + name + "/**/*.parquet')";
  }
}
