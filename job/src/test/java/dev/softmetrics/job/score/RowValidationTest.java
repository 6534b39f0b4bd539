package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows whose labels collide with the roll-up, whose text is not UTF-8, or whose given counts are
 * impossible, in both layouts: each is rejected with its reason and a message naming the value, and
 * the corpus is that of the good rows alone, computed here by hand.
 */
class RowValidationTest extends LocalSparkTest {
  private static final double LN2 = Math.log(2);

  /** -log softmax([1, 2, 3]) at index 0, 1, 2 (METRICS.md). */
  private static final double[] NLL_123 = {2.40760596444438, 1.40760596444438, 0.40760596444438};

  private static final byte[] SURROGATE = {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'b'};
  private static final byte[] CUT_EMOJI = {'o', 'k', ' ', (byte) 0xF0, (byte) 0x9F, (byte) 0x98};

  private static final String HIVE_NULL = "__HIVE_DEFAULT_PARTITION__";

  @TempDir Path tmp;

  private final List<Row> rows = new ArrayList<>();
  private final Map<Long, String[]> bad = new LinkedHashMap<>();

  // ---------------------------------------------------------------- the log-prob layout

  private static final StructType LOGPROBS =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("model", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("text", DataTypes.StringType)
          .add("num_bytes", DataTypes.LongType)
          .add("num_chars", DataTypes.LongType)
          .add("num_words", DataTypes.LongType);

  @Test
  void logprobRowsWithReservedLabelsInvalidUtf8OrImpossibleCountsAreRejected() {
    // Good rows: d1 holds "ab" (2 B, 2 ch, 1 w), "" (0, 0, 1) and "😀 é" (4+1+2 = 7 B, 3 ch, 2 w);
    // d2 holds given counts (8, 6, 2) and an empty text's counts given as (0, 0, 1).
    good(logprob("g1", "m", "t", "d1", new double[] {-1, -1}, "ab", null, null, null));
    good(logprob("g2", "m", "t", "d2", new double[] {-3}, null, 8L, 6L, 2L));
    good(logprob("g3", "m", "t", "d1", new double[] {-2}, "", null, null, null));
    good(logprob("g4", "m", "t", "d2", new double[] {-1}, null, 0L, 0L, 1L));
    good(logprob("g5", "m", "t", "d1", new double[] {-0.5, -0.5}, "😀 é", null, null, null));
    // Not reserved: labels never name an output folder, so Spark's null-partition name is a label.
    good(logprob("g6", "m", "t", HIVE_NULL, new double[] {-1}, "a", null, null, null));
    double[] lp = {-1};
    reject(
        logprob("b-dom", "m", "t", "__all__", lp, "ab", null, null, null),
        "RESERVED_LABEL",
        "domain = __all__");
    reject(
        logprob("b-mod", "__all__", "t", "d1", lp, "ab", null, null, null),
        "RESERVED_LABEL",
        "model = __all__");
    reject(
        logprob("b-tok", "m", "__all__", "d1", lp, "ab", null, null, null),
        "RESERVED_LABEL",
        "tokenizer = __all__");
    reject(
        logprob("b-sur", "m", "t", "d1", lp, UTF8String.fromBytes(SURROGATE), null, null, null),
        "INVALID_UTF8",
        "text is not valid UTF-8 at byte offset 1 (0xED 0xA0 0x80 0x62)");
    reject(
        logprob("b-cut", "m", "t", "d2", lp, UTF8String.fromBytes(CUT_EMOJI), null, null, null),
        "INVALID_UTF8",
        "text is not valid UTF-8 at byte offset 3 (0xF0 0x9F 0x98)");
    reject(
        logprob("b-nb", "m", "t", "d1", lp, null, -5L, null, null),
        "INVALID_GIVEN_COUNT",
        "num_bytes = -5");
    reject(
        logprob("b-nc", "m", "t", "d1", lp, null, 5L, -7L, null),
        "INVALID_GIVEN_COUNT",
        "num_chars = -7");
    reject(
        logprob("b-nw", "m", "t", "d2", lp, null, 5L, null, 0L),
        "INVALID_GIVEN_COUNT",
        "num_words = 0");
    reject(
        logprob("b-cb", "m", "t", "d2", lp, null, 3L, 4L, null),
        "INVALID_GIVEN_COUNT",
        "num_chars = 4",
        "num_bytes = 3");
    reject(
        logprob("b-4c", "m", "t", "d1", lp, null, 9L, 2L, null),
        "INVALID_GIVEN_COUNT",
        "num_bytes = 9",
        "num_chars = 2");
    // A bad count beside a text is also a bad count, whatever the text.
    reject(
        logprob("b-tx", "m", "t", "d1", lp, "ab", -2L, null, null),
        "INVALID_GIVEN_COUNT",
        "num_bytes = -2");

    String out = score(LOGPROBS);

    Map<String, Row> corpus = corpus(out);
    assertThat(corpus).containsOnlyKeys("m|t|d1", "m|t|d2", "m|t|" + HIVE_NULL, "m|t|__all__");
    assertGroup(corpus.get("m|t|d1"), 3, 5, 5.0, 9, 5, 4);
    assertGroup(corpus.get("m|t|d2"), 2, 2, 4.0, 8, 6, 3);
    assertGroup(corpus.get("m|t|" + HIVE_NULL), 1, 1, 1.0, 1, 1, 1);
    assertGroup(corpus.get("m|t|__all__"), 6, 8, 10.0, 18, 12, 8);
    assertThat(corpus.get("m|t|__all__").<Integer>getAs("domains")).isEqualTo(3);
  }

  private static Row logprob(
      String id,
      String model,
      String tokenizer,
      String domain,
      double[] logprobs,
      Object text,
      Long bytes,
      Long chars,
      Long words) {
    return RowFactory.create(id, model, tokenizer, domain, logprobs, text, bytes, chars, words);
  }

  // ---------------------------------------------------------------- the logits layout

  private static final StructType LOGITS =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("model", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("first_position", DataTypes.IntegerType)
          .add("target_ids", DataTypes.createArrayType(DataTypes.IntegerType))
          .add("vocab_size", DataTypes.IntegerType)
          .add("logits_dtype", DataTypes.StringType)
          .add("logits", DataTypes.BinaryType)
          .add("text", DataTypes.StringType)
          .add("num_bytes", DataTypes.LongType)
          .add("num_chars", DataTypes.LongType)
          .add("num_words", DataTypes.LongType);

  @Test
  void logitsChunksWithReservedLabelsInvalidUtf8OrImpossibleCountsAreRejected() {
    // Good: g1 "ab" (target 2); g2 in two chunks, "héllo" (6 B, 5 ch, 1 w) on the first (targets
    // 0, then 1); g3 with counts only (4, 4, 1), target 2.
    good(chunk("g1", "m", "t", "d", 0, 2, "ab", null, null, null));
    good(chunk("g2", "m", "t", "d", 0, 0, "héllo", null, null, null));
    good(chunk("g2", "m", "t", "d", 1, 1, null, null, null, null));
    good(chunk("g3", "m", "t", "d", 0, 2, null, 4L, 4L, 1L));
    reject(chunk("b-dom", "m", "t", "__all__", 0, 2, "ab", null, null, null), "RESERVED_LABEL");
    reject(chunk("b-mod", "__all__", "t", "d", 0, 2, "ab", null, null, null), "RESERVED_LABEL");
    reject(chunk("b-tok", "m", "__all__", "d", 0, 2, "ab", null, null, null), "RESERVED_LABEL");
    reject(
        chunk("b-sur", "m", "t", "d", 0, 2, UTF8String.fromBytes(SURROGATE), null, null, null),
        "INVALID_UTF8",
        "text is not valid UTF-8 at byte offset 1 (0xED 0xA0 0x80 0x62)");
    reject(chunk("b-sur", "m", "t", "d", 1, 2, null, null, null, null), "SEQUENCE_CHUNK_REJECTED");
    reject(
        chunk("b-cut", "m", "t", "d", 0, 2, UTF8String.fromBytes(CUT_EMOJI), null, null, null),
        "INVALID_UTF8",
        "byte offset 3 (0xF0 0x9F 0x98)");
    reject(chunk("b-nb", "m", "t", "d", 0, 2, null, -5L, null, null), "INVALID_GIVEN_COUNT");
    reject(chunk("b-nb", "m", "t", "d", 1, 2, null, null, null, null), "SEQUENCE_CHUNK_REJECTED");
    reject(
        chunk("b-nc", "m", "t", "d", 0, 2, null, 5L, -7L, null),
        "INVALID_GIVEN_COUNT",
        "num_chars = -7");
    reject(
        chunk("b-nw", "m", "t", "d", 0, 2, null, 5L, null, 0L),
        "INVALID_GIVEN_COUNT",
        "num_words = 0");
    reject(
        chunk("b-cb", "m", "t", "d", 0, 2, null, 3L, 4L, null),
        "INVALID_GIVEN_COUNT",
        "num_chars = 4");
    reject(
        chunk("b-4c", "m", "t", "d", 0, 2, null, 9L, 2L, null),
        "INVALID_GIVEN_COUNT",
        "num_bytes = 9");

    String out = score(LOGITS);

    Map<String, Row> corpus = corpus(out);
    assertThat(corpus).containsOnlyKeys("m|t|d", "m|t|__all__");
    double nll = NLL_123[2] + NLL_123[0] + NLL_123[1] + NLL_123[2];
    for (Row group : corpus.values()) {
      assertGroup(group, 3, 4, nll, 2 + 6 + 4, 2 + 5 + 4, 3);
    }
  }

  private static Row chunk(
      String id,
      String model,
      String tokenizer,
      String domain,
      int first,
      int target,
      Object text,
      Long bytes,
      Long chars,
      Long words) {
    ByteBuffer logits = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    logits.putFloat(1).putFloat(2).putFloat(3);
    return RowFactory.create(
        id,
        model,
        tokenizer,
        domain,
        first,
        new Integer[] {target},
        3,
        "float32",
        logits.array(),
        text,
        bytes,
        chars,
        words);
  }

  // ---------------------------------------------------------------- running and checking

  private void good(Row row) {
    rows.add(row);
  }

  private void reject(Row row, String reason, String... fragments) {
    String[] expected = new String[fragments.length + 1];
    expected[0] = reason;
    System.arraycopy(fragments, 0, expected, 1, fragments.length);
    bad.put((long) rows.size(), expected);
    rows.add(row);
  }

  /** Scores the rows (one file, so a row's index is its source_row); checks rejected/. */
  private String score(StructType schema) {
    Path in = tmp.resolve("in");
    Shards.write(spark, in, schema, rows);
    String out = tmp.resolve("out").toString();
    RunResult result =
        ScoreJob.run(
            spark,
            new ScoreRequest(
                List.of(in.toString()),
                out,
                "validation",
                JobConfig.load(null, List.of("validation.max-rejected-fraction=1"))));
    assertThat(result.run().accountingOk()).isTrue();
    Map<Long, Row> rejected = new HashMap<>();
    for (Row r : spark.read().parquet(out + "/rejected").collectAsList()) {
      rejected.put(r.<Long>getAs("source_row"), r);
    }
    Map<Long, String> reasons = new HashMap<>();
    rejected.forEach((row, r) -> reasons.put(row, r.getAs("reason")));
    Map<Long, String> expected = new HashMap<>();
    bad.forEach((row, e) -> expected.put(row, e[0]));
    assertThat(reasons).isEqualTo(expected);
    bad.forEach(
        (row, e) -> {
          String message = rejected.get(row).getAs("message");
          assertThat(message).as("message of row %d", row).contains(" row " + row);
          for (int i = 1; i < e.length; i++) {
            assertThat(message).as("message of row %d", row).contains(e[i]);
          }
        });
    return out;
  }

  private static Map<String, Row> corpus(String output) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : spark.read().parquet(output + "/corpus").collectAsList()) {
      String key = r.getAs("model") + "|" + r.getAs("tokenizer") + "|" + r.getAs("domain");
      assertThat(out.put(key, r)).as("corpus rows of %s", key).isNull();
    }
    return out;
  }

  private static void assertGroup(
      Row r, long sequences, long tokens, double nll, long bytes, long chars, long words) {
    String group = r.getAs("domain");
    assertThat(r.<Long>getAs("sequences")).as("sequences of %s", group).isEqualTo(sequences);
    assertThat(r.<Long>getAs("tokens")).as("tokens of %s", group).isEqualTo(tokens);
    assertThat(r.<Double>getAs("nll_sum")).as("nll_sum of %s", group).isCloseTo(nll, within(1e-9));
    assertThat(r.<Long>getAs("bytes")).as("bytes of %s", group).isEqualTo(bytes);
    assertThat(r.<Long>getAs("chars")).as("chars of %s", group).isEqualTo(chars);
    assertThat(r.<Long>getAs("words")).as("words of %s", group).isEqualTo(words);
    assertThat(r.<Double>getAs("bits_per_byte"))
        .as("bits_per_byte of %s", group)
        .isCloseTo(nll / (bytes * LN2), within(1e-9));
    assertThat(r.<Double>getAs("bits_per_char"))
        .as("bits_per_char of %s", group)
        .isCloseTo(nll / (chars * LN2), within(1e-9));
  }
}
