package dev.softmetrics.notebooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
  void theLogitsLayoutGivesTheCrossEntropyOfItsLogitsAndAgreesWithTheLogprobLayout()
      throws SQLException {
    // H(P_ref, Q) = -sum_i p_i ln q_i, recomputed here position by position from the input's
    // bfloat16 logits (kn3's, with kn2's as ref_logits) of two head sequences: not through the
    // kernel's H(P_ref) + KL(P_ref || Q).
    Map<String, double[]> fromInput = crossEntropiesFromInput();
    assertThat(fromInput).hasSize(2);
    for (Map.Entry<String, double[]> sequence : fromInput.entrySet()) {
      List<String> stored =
          rows(
              "logits/sequences",
              "SELECT cross_entropy_ref, tokens FROM t WHERE model = 'kn3' AND sequence_id = '"
                  + sequence.getKey()
                  + "'");
      assertThat(stored).as(sequence.getKey()).hasSize(1);
      String[] v = stored.get(0).split("\\|");
      double[] sumAndPositions = sequence.getValue();
      assertThat(Long.parseLong(v[1])).isEqualTo((long) sumAndPositions[1]);
      double expected = sumAndPositions[0] / sumAndPositions[1];
      assertThat(Double.parseDouble(v[0]))
          .as(sequence.getKey())
          .isCloseTo(expected, within(1e-12 * expected));
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

  /**
   * For the first two kn3 head sequences of the logits input: the sum over their positions of
   * -sum_i p_i ln q_i, with ln q = z - LSE(z) from the bfloat16 {@code logits} and p = exp(r -
   * LSE(r)) from {@code ref_logits}, and the number of positions.
   */
  private static Map<String, double[]> crossEntropiesFromInput() throws SQLException {
    String input = "read_parquet('" + dir + "/logits/input/**/*.parquet')";
    Map<String, double[]> sums = new TreeMap<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT sequence_id, vocab_size, logits, ref_logits FROM "
                    + input
                    + " WHERE model = 'kn3' AND sequence_id IN (SELECT DISTINCT sequence_id FROM "
                    + input
                    + " WHERE model = 'kn3' AND sequence_id LIKE '%-head' ORDER BY 1 LIMIT 2)")) {
      while (rs.next()) {
        int vocab = rs.getInt(2);
        ByteBuffer z = ByteBuffer.wrap(rs.getBytes(3)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer r = ByteBuffer.wrap(rs.getBytes(4)).order(ByteOrder.LITTLE_ENDIAN);
        double[] sum = sums.computeIfAbsent(rs.getString(1), k -> new double[2]);
        while (z.hasRemaining()) {
          sum[0] += crossEntropy(bfloat16(z, vocab), bfloat16(r, vocab));
          sum[1]++;
        }
      }
    }
    return sums;
  }

  /** The next {@code vocab} bfloat16 values: each the float whose high 16 bits it is. */
  private static double[] bfloat16(ByteBuffer bytes, int vocab) {
    double[] values = new double[vocab];
    for (int i = 0; i < vocab; i++) {
      values[i] = Float.intBitsToFloat((bytes.getShort() & 0xFFFF) << 16);
    }
    return values;
  }

  /** -sum_i p_i ln q_i with p = softmax(r), q = softmax(z), by METRICS.md's formulas. */
  private static double crossEntropy(double[] z, double[] r) {
    double lnZ = logSumExp(z);
    double lnR = logSumExp(r);
    double h = 0;
    for (int i = 0; i < z.length; i++) {
      // A token the reference gives no mass adds 0, one only the model gives none makes it +inf.
      if (r[i] != Double.NEGATIVE_INFINITY) {
        h -= Math.exp(r[i] - lnR) * (z[i] - lnZ);
      }
    }
    return h;
  }

  private static double logSumExp(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : x) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
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
