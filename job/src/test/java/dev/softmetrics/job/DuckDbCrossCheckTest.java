package dev.softmetrics.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.corpora.DemoCorpusWriter;
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
import java.util.TreeMap;
import org.duckdb.DuckDBDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scores a generated corpus with the job, then recomputes every column of {@code corpus/} (and the
 * per-sequence columns of {@code sequences/}) in DuckDB SQL straight from the input shards, from
 * the definitions in METRICS.md and none of our code, and compares the two row by row.
 */
class DuckDbCrossCheckTest extends LocalSparkTest {

  private static final long SEQUENCES = 2_400;
  private static final int FILES = 5;
  private static final String RUN_ID = "cross-check";
  private static final double RELATIVE_TOLERANCE = 1e-12;

  /** ln 2, as DuckDB computes it: the reference does not share the job's constant. */
  private static final String LN2 = "ln(2)";

  /**
   * Python's {@code \s} for str patterns, as an RE2 class (RE2's own {@code \s} is ASCII only):
   * U+0009-U+000D, U+001C-U+001F, U+0020, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
   * U+202F, U+205F, U+3000.
   */
  private static final String PYTHON_WHITESPACE =
      "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}"
          + "\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]";

  /** Columns that must match exactly; every other numeric column is compared to a tolerance. */
  private static final Set<String> COUNTS =
      Set.of("sequences", "tokens", "bytes", "chars", "words", "domains", "source_row");

  @TempDir Path tmp;

  private Connection duck;
  private DuckDbRows tables;

  @BeforeEach
  void openDuckDb() throws SQLException {
    duck = new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
    tables = new DuckDbRows(duck, COUNTS, RELATIVE_TOLERANCE);
  }

  @AfterEach
  void closeDuckDb() throws SQLException {
    duck.close();
  }

  /** The reference's counting expressions mean what METRICS.md says; fails if DuckDB changes. */
  @Test
  void duckDbCountsTextAsTheMetricsDefineIt() throws SQLException {
    Map<String, Object> counts =
        tables.single(
            "SELECT "
                + charsOf("'héllo'")
                + " AS chars_hello, "
                + charsOf("'日本語'")
                + " AS chars_nihongo, "
                + charsOf("'😀'")
                + " AS chars_emoji, "
                + bytesOf("'héllo'")
                + " AS bytes_hello, "
                + bytesOf("'日本語'")
                + " AS bytes_nihongo, "
                + bytesOf("'😀'")
                + " AS bytes_emoji, "
                + wordsOf("' a b '")
                + " AS words_padded, "
                + wordsOf("''")
                + " AS words_empty, "
                + wordsOf("'a' || chr(12288) || 'b'")
                + " AS words_ideographic_space, "
                + wordsOf("'a' || chr(160) || 'b'")
                + " AS words_no_break_space, "
                + wordsOf("'a' || chr(11) || chr(28) || chr(133) || 'b' || chr(8239) || 'c'")
                + " AS words_rare_spaces, "
                + wordsOf("'a' || chr(8203) || 'b' || chr(65279) || 'c'")
                + " AS words_zero_width");
    assertThat(counts)
        .containsEntry("chars_hello", 5L)
        .containsEntry("chars_nihongo", 3L)
        .containsEntry("chars_emoji", 1L)
        .containsEntry("bytes_hello", 6L)
        .containsEntry("bytes_nihongo", 9L)
        .containsEntry("bytes_emoji", 4L)
        .containsEntry("words_padded", 4L)
        .containsEntry("words_empty", 1L)
        .containsEntry("words_ideographic_space", 2L)
        .containsEntry("words_no_break_space", 2L)
        .containsEntry("words_rare_spaces", 3L)
        .containsEntry("words_zero_width", 1L);
  }

  @Test
  void cleanCorpusMatchesDuckDbRowByRow() throws SQLException {
    String input = tmp.resolve("shards").toString();
    String output = tmp.resolve("out").toString();
    DemoCorpusWriter.write(
        spark, new DemoCorpusWriter.Shape(20_240_611L, 16, 300, 0), SEQUENCES, FILES, input);
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, RUN_ID, JobConfig.defaults()));
    defineInput(input);

    Map<String, Object> shape =
        tables.single(
            "SELECT count(*) AS rows_, count(DISTINCT filename) AS files,"
                + " count(*) FILTER (WHERE reason IS NOT NULL) AS bad,"
                + " count(*) FILTER (WHERE strpos(text, chr(12288)) > 0) AS with_ideographic_space,"
                + " count(*) FILTER (WHERE strpos(text, chr(160)) > 0) AS with_no_break_space,"
                + " count(*) FILTER (WHERE "
                + bytesOf("text")
                + " > "
                + charsOf("text")
                + ") AS multibyte FROM input");
    assertThat(shape).containsEntry("rows_", SEQUENCES).containsEntry("files", (long) FILES);
    assertThat(shape).as("DuckDB's count of bad input rows").containsEntry("bad", 0L);
    assertThat((Long) shape.get("with_ideographic_space"))
        .as("rows whose words only split right on U+3000")
        .isPositive();
    assertThat((Long) shape.get("with_no_break_space"))
        .as("rows whose words only split right on U+00A0")
        .isPositive();
    assertThat((Long) shape.get("multibyte")).as("rows where bytes != chars").isPositive();

    assertCorpusMatchesDuckDb(output);
    assertSequencesMatchDuckDb(output);
    assertComparisonsMatchDuckDb(output);
    assertThat(tables.single("SELECT count(*) AS n FROM " + table(output, "rejected")))
        .as("rows in rejected/")
        .containsEntry("n", 0L);
    assertRunRow(output, SEQUENCES, 0);
  }

  @Test
  void badRowsAreRejectedAsDuckDbFindsThemAndTheRestStillMatches() throws SQLException {
    String input = tmp.resolve("shards").toString();
    String output = tmp.resolve("out").toString();
    DemoCorpusWriter.write(
        spark, new DemoCorpusWriter.Shape(97_531L, 16, 300, 97), SEQUENCES, FILES, input);
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, RUN_ID, JobConfig.defaults()));
    defineInput(input);

    Map<String, Long> expectedByReason =
        countsByReason("SELECT reason FROM input WHERE reason IS NOT NULL");
    Map<String, Long> actualByReason =
        countsByReason("SELECT reason FROM " + table(output, "rejected"));
    assertThat(expectedByReason)
        .as("DuckDB finds every kind of bad row in the input")
        .containsOnlyKeys("NON_FINITE_LOGPROB", "EMPTY_LOGPROBS", "MISSING_TEXT_AND_COUNTS");
    assertThat(actualByReason).as("rejected/ rows per reason").isEqualTo(expectedByReason);

    Map<String, Map<String, Object>> expected =
        tables.rowsByKey(
            "SELECT '"
                + RUN_ID
                + "' AS run_id, sequence_id, model, tokenizer, domain, file AS source_file,"
                + " file_row_number AS source_row, reason, file_key FROM input"
                + " WHERE reason IS NOT NULL",
            "source_file",
            "source_row");
    Map<String, Map<String, Object>> actual =
        tables.rowsByKey(
            "SELECT run_id, sequence_id, model, tokenizer, domain,"
                + " parse_filename(source_file) AS source_file, source_row, reason, file_key"
                + " FROM "
                + table(output, "rejected"),
            "source_file",
            "source_row");
    tables.assertSameRows("rejected/", expected, actual);
    assertThat(
            tables.single(
                "SELECT count(*) FILTER (WHERE message IS NULL OR message = '') AS n FROM "
                    + table(output, "rejected")))
        .as("rejected/ rows without a message")
        .containsEntry("n", 0L);

    long rejected = expectedByReason.values().stream().mapToLong(Long::longValue).sum();
    assertCorpusMatchesDuckDb(output);
    assertSequencesMatchDuckDb(output);
    assertComparisonsMatchDuckDb(output);
    assertRunRow(output, SEQUENCES - rejected, rejected);
  }

  /**
   * The input shards as a view, each row with its file, row number and the reason DuckDB finds for
   * not scoring it (null for a good row), in the job's documented order of precedence.
   */
  private void defineInput(String input) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute(
          "CREATE OR REPLACE TEMP VIEW input AS SELECT *, parse_filename(filename) AS file,"
              // The partition of the file's rows: the start of the SHA-256 of its path.
              + " 'f' || left(sha256('file:' || filename), 16) AS file_key,"
              + " CASE WHEN token_logprobs IS NULL THEN 'MISSING_LOGPROBS'"
              + " WHEN len(token_logprobs) = 0 THEN 'EMPTY_LOGPROBS'"
              + " WHEN len(list_filter(token_logprobs, lambda x: x IS NULL)) > 0"
              + " THEN 'NULL_LOGPROB'"
              + " WHEN len(list_filter(token_logprobs, lambda x: isnan(x) OR isinf(x))) > 0"
              + " THEN 'NON_FINITE_LOGPROB'"
              + " WHEN len(list_filter(token_logprobs, lambda x: x > 0)) > 0"
              + " THEN 'POSITIVE_LOGPROB'"
              + " WHEN text IS NULL THEN 'MISSING_TEXT_AND_COUNTS' END AS reason"
              + " FROM read_parquet('"
              + input
              + "/*.parquet', filename = true, file_row_number = true)");
    }
  }

  /** Every column of corpus/, recomputed from the good input rows, equals the job's. */
  private void assertCorpusMatchesDuckDb(String output) throws SQLException {
    String sql =
        "WITH seq AS ("
            + "  SELECT model, tokenizer, domain,"
            + "    -list_sum(token_logprobs::DOUBLE[]) AS nll,"
            + "    len(token_logprobs) AS tokens,"
            + ("    " + bytesOf("text") + " AS bytes,")
            + ("    " + charsOf("text") + " AS chars,")
            + ("    " + wordsOf("text") + " AS words")
            + "  FROM input WHERE reason IS NULL),"
            + " per_domain AS ("
            + "  SELECT model, tokenizer, domain, count(*) AS sequences,"
            + "    sum(tokens)::BIGINT AS tokens, sum(bytes)::BIGINT AS bytes,"
            + "    sum(chars)::BIGINT AS chars, sum(words)::BIGINT AS words, fsum(nll) AS nll_sum"
            + "  FROM seq GROUP BY model, tokenizer, domain),"
            + " macro AS ("
            + "  SELECT model, tokenizer, count(*) AS domains,"
            + "    avg(nll_sum / tokens) AS macro_mean_nll,"
            + ("    avg(nll_sum / (" + LN2 + " * bytes)) AS macro_bits_per_byte")
            + "  FROM per_domain GROUP BY model, tokenizer),"
            + " all_domains AS ("
            + "  SELECT model, tokenizer, '__all__' AS domain, count(*) AS sequences,"
            + "    sum(tokens)::BIGINT AS tokens, sum(bytes)::BIGINT AS bytes,"
            + "    sum(chars)::BIGINT AS chars, sum(words)::BIGINT AS words, fsum(nll) AS nll_sum"
            + "  FROM seq GROUP BY model, tokenizer),"
            + " grouped AS ("
            + "  SELECT *, NULL::BIGINT AS domains, NULL::DOUBLE AS macro_mean_nll,"
            + "    NULL::DOUBLE AS macro_bits_per_byte FROM per_domain"
            + "  UNION ALL"
            + "  SELECT a.*, m.domains, m.macro_mean_nll, m.macro_bits_per_byte"
            + "  FROM all_domains a JOIN macro m USING (model, tokenizer))"
            + " SELECT '"
            + RUN_ID
            + "' AS run_id, model, tokenizer, domain, sequences, tokens, bytes, chars, words,"
            + "  nll_sum,"
            + "  nll_sum / tokens AS mean_nll,"
            + "  exp(nll_sum / tokens) AS ppl_token,"
            + ("  nll_sum / tokens / " + LN2 + " AS bits_per_token,")
            + ("  nll_sum / (" + LN2 + " * bytes) AS bits_per_byte,")
            + ("  nll_sum / (" + LN2 + " * chars) AS bits_per_char,")
            + "  exp(nll_sum / bytes) AS ppl_byte,"
            + "  exp(nll_sum / words) AS ppl_word,"
            + "  domains, macro_mean_nll, macro_bits_per_byte,"
            + NO_SOFT_METRICS
            + NO_KL_PER_SEQUENCE
            + ", 0::BIGINT AS flags"
            + " FROM grouped";
    Map<String, Map<String, Object>> expected =
        tables.rowsByKey(sql, "model", "tokenizer", "domain");
    Map<String, Map<String, Object>> actual =
        tables.rowsByKey(
            "SELECT * EXCLUDE ("
                + INTERVAL_COLUMNS
                + ") REPLACE (len(flags) AS flags) FROM "
                + table(output, "corpus"),
            "model",
            "tokenizer",
            "domain");
    assertThat(expected.keySet())
        .as("DuckDB's groups: 2 models x 2 tokenizers x (3 domains + __all__)")
        .hasSize(16);
    tables.assertSameRows("corpus/", expected, actual);
    assertIntervalsAgreeWithTheDeltaMethod(output);
  }

  private static final String INTERVAL_COLUMNS =
      "ppl_token_ci_low, ppl_token_ci_high, bits_per_byte_ci_low, bits_per_byte_ci_high,"
          + " bootstrap_replicates, ci_confidence";

  /**
   * The bootstrap intervals of corpus/ hold the point figure, and their BPB width agrees with the
   * delta method's for a ratio of sums, 2 x 1.96 x sqrt(sum (nll_i - R bytes_i)^2) / sum bytes / ln
   * 2, computed here from the input shards. 1000 replicates put each end within about 0.08 standard
   * errors, so the widths agree to a few percent; 15% is a margin of about 5 sigma.
   */
  private void assertIntervalsAgreeWithTheDeltaMethod(String output) throws SQLException {
    String seq =
        "SELECT model, tokenizer, domain, -list_sum(token_logprobs::DOUBLE[]) AS nll,"
            + (" " + bytesOf("text") + " AS bytes FROM input WHERE reason IS NULL");
    String groups =
        "SELECT model, tokenizer, domain, nll, bytes FROM seq"
            + " UNION ALL SELECT model, tokenizer, '__all__', nll, bytes FROM seq";
    String delta =
        "WITH seq AS ("
            + seq
            + "), g AS ("
            + groups
            + "), r AS (SELECT model, tokenizer, domain, sum(nll) / sum(bytes) AS ratio"
            + " FROM g GROUP BY ALL)"
            + " SELECT model, tokenizer, domain, 2 * 1.959963984540054"
            + " * sqrt(sum((g.nll - r.ratio * g.bytes) ^ 2)) / sum(g.bytes) / "
            + LN2
            + " AS width FROM g JOIN r USING (model, tokenizer, domain) GROUP BY ALL";
    Map<String, Object> check =
        tables.single(
            "WITH d AS ("
                + delta
                + ") SELECT count(*) AS rows_,"
                + " count(*) FILTER (WHERE ppl_token_ci_low < ppl_token"
                + "   AND ppl_token < ppl_token_ci_high AND bits_per_byte_ci_low < bits_per_byte"
                + "   AND bits_per_byte < bits_per_byte_ci_high) AS holding,"
                + " count(*) FILTER (WHERE bootstrap_replicates = 1000 AND ci_confidence = 0.95)"
                + "   AS configured,"
                + " min((bits_per_byte_ci_high - bits_per_byte_ci_low) / d.width) AS min_ratio,"
                + " max((bits_per_byte_ci_high - bits_per_byte_ci_low) / d.width) AS max_ratio"
                + " FROM "
                + table(output, "corpus")
                + " c JOIN d USING (model, tokenizer, domain)");
    assertThat(check)
        .as("corpus/ intervals")
        .containsEntry("rows_", 16L)
        .containsEntry("holding", 16L)
        .containsEntry("configured", 16L);
    assertThat((Double) check.get("min_ratio"))
        .as("narrowest width / delta method")
        .isGreaterThan(0.85);
    assertThat((Double) check.get("max_ratio")).as("widest width / delta method").isLessThan(1.15);
  }

  /**
   * comparisons/ holds every pair of (model, tokenizer) in each domain and over all domains, with
   * the point figures and differences over the sequences both scored, joined here on (domain,
   * sequence_id) from the input shards; mean NLL differences only within one tokenizer, and {@code
   * better} set exactly when the interval excludes 0.
   */
  private void assertComparisonsMatchDuckDb(String output) throws SQLException {
    String sides =
        "SELECT a.model AS model_a, a.tokenizer AS tokenizer_a, b.model AS model_b,"
            + " b.tokenizer AS tokenizer_b, a.domain, a.nll AS nll_a, a.tokens AS tokens_a,"
            + " a.bytes AS bytes_a, b.nll AS nll_b, b.tokens AS tokens_b, b.bytes AS bytes_b"
            + " FROM seq a JOIN seq b ON a.domain = b.domain AND a.sequence_id = b.sequence_id"
            + " AND (a.model < b.model OR (a.model = b.model AND a.tokenizer < b.tokenizer))";
    String sums =
        " count(*) AS sequences, fsum(nll_a) AS nll_a, sum(tokens_a) AS tokens_a,"
            + " sum(bytes_a) AS bytes_a, fsum(nll_b) AS nll_b, sum(tokens_b) AS tokens_b,"
            + " sum(bytes_b) AS bytes_b FROM sides";
    String sql =
        "WITH seq AS (SELECT model, tokenizer, domain, sequence_id,"
            + " -list_sum(token_logprobs::DOUBLE[]) AS nll, len(token_logprobs) AS tokens,"
            + (" " + bytesOf("text") + " AS bytes FROM input WHERE reason IS NULL),")
            + " sides AS ("
            + sides
            + "), g AS (SELECT model_a, tokenizer_a, model_b, tokenizer_b, domain,"
            + sums
            + " GROUP BY ALL UNION ALL SELECT model_a, tokenizer_a, model_b, tokenizer_b,"
            + " '__all__' AS domain,"
            + sums
            + " GROUP BY model_a, tokenizer_a, model_b, tokenizer_b),"
            + " f AS (SELECT model_a, tokenizer_a, model_b, tokenizer_b, domain, sequences,"
            + (" nll_a / (" + LN2 + " * bytes_a) AS bits_per_byte_a,")
            + (" nll_b / (" + LN2 + " * bytes_b) AS bits_per_byte_b,")
            + " nll_a / tokens_a AS mean_nll_a, nll_b / tokens_b AS mean_nll_b,"
            + " tokenizer_a = tokenizer_b AS same_tokenizer FROM g)"
            + " SELECT *, bits_per_byte_b - bits_per_byte_a AS bits_per_byte_diff,"
            + " CASE WHEN same_tokenizer THEN mean_nll_b - mean_nll_a END AS mean_nll_diff"
            + " FROM f";
    String[] key = {"model_a", "tokenizer_a", "model_b", "tokenizer_b", "domain"};
    Map<String, Map<String, Object>> expected = tables.rowsByKey(sql, key);
    Map<String, Map<String, Object>> actual =
        tables.rowsByKey(
            "SELECT model_a, tokenizer_a, model_b, tokenizer_b, domain, sequences,"
                + " bits_per_byte_a, bits_per_byte_b, mean_nll_a, mean_nll_b,"
                + " tokenizer_a = tokenizer_b AS same_tokenizer, bits_per_byte_diff,"
                + " mean_nll_diff FROM "
                + table(output, "comparisons"),
            key);
    assertThat(expected.keySet())
        .as("DuckDB's pairs: 6 of the 4 (model, tokenizer) x (3 domains + __all__)")
        .hasSize(24);
    // A difference of two close figures keeps their absolute, not relative, precision.
    for (String row : expected.keySet()) {
      for (String diff : List.of("bits_per_byte_diff", "mean_nll_diff")) {
        Object want = expected.get(row).remove(diff);
        Object got = actual.containsKey(row) ? actual.get(row).remove(diff) : null;
        if (want == null) {
          assertThat(got).as("%s of %s", diff, row).isNull();
        } else {
          assertThat((Double) got)
              .as("%s of %s", diff, row)
              .isCloseTo((Double) want, within(1e-12));
        }
      }
    }
    tables.assertSameRows("comparisons/", expected, actual);
    assertThat(
            tables.single(
                "SELECT count(*) FILTER (WHERE (better IS NOT NULL) <>"
                    + " (bits_per_byte_diff_ci_low > 0 OR bits_per_byte_diff_ci_high < 0)"
                    + " OR (bits_per_byte_diff_ci_low > 0 AND better <> model_a)"
                    + " OR (bits_per_byte_diff_ci_high < 0 AND better <> model_b)) AS wrong,"
                    + " count(*) FILTER (WHERE better IS NOT NULL) AS decided FROM "
                    + table(output, "comparisons")))
        .as("better is the model with the lower BPB exactly when the interval excludes 0")
        .containsEntry("wrong", 0L);
  }

  /** sequences/ has one row per good input row, with the counts and NLL that DuckDB computes. */
  private void assertSequencesMatchDuckDb(String output) throws SQLException {
    String sql =
        "SELECT '"
            + RUN_ID
            + "' AS run_id, sequence_id, model, tokenizer, domain,"
            + " len(token_logprobs) AS tokens,"
            + " -list_sum(token_logprobs::DOUBLE[]) AS nll_sum,"
            + " -list_sum(token_logprobs::DOUBLE[]) / len(token_logprobs) AS mean_nll,"
            + " exp(-list_sum(token_logprobs::DOUBLE[]) / len(token_logprobs)) AS ppl,"
            + (" " + bytesOf("text") + " AS bytes,")
            + (" " + charsOf("text") + " AS chars,")
            + (" " + wordsOf("text") + " AS words,")
            + NO_SOFT_METRICS
            + ", NULL::BIGINT AS vocab_size, file AS source_file, file_key,"
            // Tokens per position bucket k (positions 2^k - 1 to 2^(k+1) - 2); the buckets' sums
            // are checked through positions/ in DuckDbPositionsCrossCheckTest.
            + " array_to_string(list_transform(range(floor(log2(len(token_logprobs)))::BIGINT + 1),"
            + "   k -> least(len(token_logprobs), 2 ** (k + 1) - 1)::BIGINT - (2 ** k - 1)::BIGINT),"
            + "   ',') AS position_tokens"
            + " FROM input WHERE reason IS NULL";
    Map<String, Map<String, Object>> expected =
        tables.rowsByKey(sql, "sequence_id", "model", "tokenizer");
    Map<String, Map<String, Object>> actual =
        tables.rowsByKey(
            "SELECT * EXCLUDE (position_nll_sum, position_entropy_sum) REPLACE"
                + " (parse_filename(source_file) AS source_file,"
                + " array_to_string(position_tokens, ',') AS position_tokens) FROM "
                + table(output, "sequences"),
            "sequence_id",
            "model",
            "tokenizer");
    tables.assertSameRows("sequences/", expected, actual);
  }

  private void assertRunRow(String output, long scored, long rejected) throws SQLException {
    Map<String, Object> run =
        tables.single(
            "SELECT run_id, status, rows_read, sequences_scored, rows_rejected, accounting_ok FROM "
                + table(output, "runs"));
    assertThat(run)
        .as("the runs/ row")
        .containsEntry("run_id", RUN_ID)
        .containsEntry("status", "succeeded")
        .containsEntry("rows_read", SEQUENCES)
        .containsEntry("sequences_scored", scored)
        .containsEntry("rows_rejected", rejected)
        .containsEntry("accounting_ok", true);
  }

  private static String bytesOf(String text) {
    return "strlen(" + text + ")";
  }

  private static String charsOf(String text) {
    return "length(" + text + ")";
  }

  private static String wordsOf(String text) {
    return "len(regexp_split_to_array(" + text + ", '" + PYTHON_WHITESPACE + "+'))";
  }

  /**
   * The soft-metric columns, null for input without logits or log-prob extras (their values are
   * checked against DuckDB in {@link DuckDbSoftMetricsCrossCheckTest}).
   */
  private static final String NO_SOFT_METRICS =
      " NULL::DOUBLE AS mean_entropy, NULL::DOUBLE AS kl_forward, NULL::DOUBLE AS kl_reverse, NULL::DOUBLE AS cross_entropy_ref, NULL::DOUBLE AS kl_k1, NULL::DOUBLE AS kl_k2, NULL::DOUBLE AS kl_k3, NULL::DOUBLE AS entropy_lower, NULL::DOUBLE AS entropy_upper";

  /** The per-sequence KL columns of corpus/, null like the soft metrics they sum. */
  private static final String NO_KL_PER_SEQUENCE =
      ", NULL::DOUBLE AS kl_reverse_per_sequence, NULL::DOUBLE AS kl_k1_per_sequence,"
          + " NULL::DOUBLE AS kl_k3_per_sequence";

  private static String table(String output, String name) {
    return "read_parquet('" + output + "/" + name + "/**/*.parquet')";
  }

  private Map<String, Long> countsByReason(String sql) throws SQLException {
    Map<String, Long> counts = new TreeMap<>();
    for (Map<String, Object> row : tables.query(sql)) {
      counts.merge((String) row.get("reason"), 1L, Long::sum);
    }
    return counts;
  }
}
