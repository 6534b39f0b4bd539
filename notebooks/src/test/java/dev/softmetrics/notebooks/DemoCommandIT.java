package dev.softmetrics.notebooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code softmetrics demo} end to end, in-process: the corpus from Europarl, the three runs, the
 * summary's tokenizer lesson, and what the tables must show, read back with DuckDB. (Here rather
 * than in the job module because the notebooks read the same run: see {@link DemoRun}.)
 */
class DemoCommandIT {
  private static String out;
  private static String dir;

  @BeforeAll
  static void runTheDemo() {
    DemoRun.Result demo = DemoRun.get();
    out = demo.stdout();
    dir = demo.dir().toString();
    assertThat(demo.status()).as(out).isZero();
  }

  @Test
  void theSummaryShowsTheTokenizerLessonInNumbers() throws SQLException {
    List<String> kn3 =
        rows(
            "heldout/corpus",
            "SELECT tokenizer, bytes, tokens, ppl_token, bits_per_byte FROM t"
                + " WHERE model = 'kn3' AND domain = '__all__' ORDER BY tokenizer");
    assertThat(kn3).hasSize(2);
    String[] o200k = kn3.get(0).split("\\|");
    String[] r50k = kn3.get(1).split("\\|");
    // The same text under both tokenizers, cut into different numbers of tokens.
    assertThat(o200k[1]).isEqualTo(r50k[1]);
    assertThat(Long.parseLong(r50k[2])).isGreaterThan(Long.parseLong(o200k[2]) * 13 / 10);
    double pplRatio = Double.parseDouble(o200k[3]) / Double.parseDouble(r50k[3]);
    double bpbRatio = Double.parseDouble(o200k[4]) / Double.parseDouble(r50k[4]);
    assertThat(pplRatio).isGreaterThan(3);
    assertThat(bpbRatio).isCloseTo(1, within(0.05));
    assertThat(out)
        .contains("The same text (" + String.format("%,d", Long.parseLong(r50k[1])) + " bytes)")
        .contains(String.format(java.util.Locale.ROOT, "token perplexity differs %.2fx", pplRatio))
        .contains("compare across tokenizers by bits per byte");
  }

  @Test
  void heldOutTextIsScoredInFiveLanguagesAndTheBrokenRowsAreRejected() throws SQLException {
    assertThat(
            rows(
                "heldout/sequences",
                "SELECT model, tokenizer, count(*), count(DISTINCT domain) FROM t GROUP BY ALL"
                    + " ORDER BY ALL"))
        .containsExactly(
            "kn2|o200k_base|300|5", "kn2|r50k_base|300|5",
            "kn3|o200k_base|300|5", "kn3|r50k_base|300|5");
    assertThat(rows("heldout/rejected", "SELECT reason FROM t ORDER BY reason"))
        .containsExactly("EXTRA_LENGTH_MISMATCH", "MISSING_LABEL", "NON_FINITE_LOGPROB");
    // The trigram model beats the bigram on the same tokens.
    assertThat(
            rows(
                "heldout/corpus",
                "SELECT a.tokenizer FROM t a JOIN t b USING (tokenizer, domain)"
                    + " WHERE a.model = 'kn3' AND b.model = 'kn2' AND a.mean_nll >= b.mean_nll"))
        .isEmpty();
  }

  @Test
  void theCheckpointsShowEntropyCollapseAndTheKlBands() throws SQLException {
    assertThat(
            rows(
                "rollouts/corpus",
                "SELECT model, array_to_string(flags, ',') FROM t WHERE domain = '__all__'"
                    + " ORDER BY model"))
        .containsExactly(
            "kn3-T0.05|ENTROPY_COLLAPSE",
            "kn3-T0.20|",
            "kn3-T0.50|",
            "kn3-T1.00|",
            "kn3-banana-13|KL_WARNING",
            "kn3-banana-16|KL_ALARM");
    // Sampled from the model itself, every token's log-ratio to the model is 0.
    assertThat(rows("rollouts/corpus", "SELECT kl_k1, kl_k3 FROM t WHERE model = 'kn3-T1.00'"))
        .containsOnly("0.0|0.0");
  }

  @Test
  void theLogitsLayoutGivesExactIdentitiesAndAgreesWithTheLogprobLayout() throws SQLException {
    // H(P_ref, Q) = H(P_ref) + KL(P_ref || Q): kn3's cross-entropy against kn2 is kn2's entropy
    // plus the forward KL, on the same positions.
    List<String> identity =
        rows(
            "logits/corpus",
            "SELECT q.cross_entropy_ref, p.mean_entropy + q.kl_forward FROM t q JOIN t p"
                + " USING (tokenizer, domain) WHERE q.model = 'kn3' AND p.model = 'kn2'");
    assertThat(identity).hasSize(6);
    for (String row : identity) {
      String[] v = row.split("\\|");
      assertThat(Double.parseDouble(v[0])).isCloseTo(Double.parseDouble(v[1]), within(1e-9));
    }
    assertThat(rows("logits/rejected", "SELECT reason FROM t ORDER BY reason"))
        .containsExactly("INVALID_TARGET_ID", "SEQUENCE_CHUNK_REJECTED");
    // Each kn3 head sequence: its NLL from bfloat16 logits is its first tokens' NLL in the
    // log-prob layout, to bfloat16's precision.
    List<String> both =
        rows(
            "logits/sequences",
            "SELECT s.nll_sum, -list_sum(list_slice(h.token_logprobs, 1, s.tokens::INT))"
                + " FROM t s JOIN '"
                + dir
                + "/heldout/input/*.parquet' h"
                + " ON h.sequence_id || '-head' = s.sequence_id AND h.model = s.model"
                + " AND h.tokenizer = s.tokenizer WHERE s.model = 'kn3'");
    assertThat(both).hasSize(10);
    for (String row : both) {
      String[] v = row.split("\\|");
      assertThat(Double.parseDouble(v[0]))
          .isCloseTo(Double.parseDouble(v[1]), within(0.02 * Double.parseDouble(v[1])));
    }
  }

  /** The rows of a query over a table folder under the demo's output (as {@code t}). */
  private static List<String> rows(String table, String sql) throws SQLException {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute(
          "CREATE VIEW t AS SELECT * FROM read_parquet('" + dir + "/" + table + "/**/*.parquet')");
      List<String> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery(sql)) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<String> cells = new ArrayList<>();
          for (int i = 1; i <= n; i++) {
            cells.add(rs.getString(i) == null ? "" : rs.getString(i));
          }
          rows.add(String.join("|", cells));
        }
      }
      return rows;
    }
  }
}
