package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One fixture row per rejection reason of the log-prob extras and of the logits layout, scored end
 * to end: each row lands in {@code rejected/} with its reason and a message naming the column (and
 * value), and the good row beside them is scored. (The core log-prob reasons are in {@link
 * ScoreJobTest}, chunk assembly in {@link SoftMetricsJobTest}, duplicates in {@link
 * DuplicateSequenceTest}.)
 */
class BadRowReasonsTest extends LocalSparkTest {

  @TempDir Path tmp;

  @Test
  void logprobExtrasThatAreNotOneValidEntryPerTokenAreRejected() {
    StructType schema =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
            .add("text", DataTypes.StringType)
            .add("token_entropies", DataTypes.createArrayType(DataTypes.DoubleType))
            .add("ref_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
            .add(
                "top_logprobs",
                DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))
            .add("vocab_size", DataTypes.IntegerType);
    Double[] lp = {-1.0, -2.0};
    Double[] ok = {0.5, 0.5};
    Double[][] top = {{-1.0}, {-2.0}};
    List<Row> rows = new ArrayList<>();
    rows.add(extras("good", lp, ok, new Double[] {-1.5, -1.5}, top));
    rows.add(extras("ref-length", lp, ok, new Double[] {-1.0}, top));
    rows.add(extras("entropy", lp, new Double[] {0.5, -1.0}, null, null));
    rows.add(extras("ref-positive", lp, null, new Double[] {-1.0, 0.5}, null));
    // The first position's top-2 probabilities, e^-0.01 twice, sum above 1.
    rows.add(extras("top", lp, null, null, new Double[][] {{-0.01, -0.01}, {-1.0}}));
    Map<String, Row> rejected = score(schema, rows);

    assertThat(rejected).containsOnlyKeys("ref-length", "entropy", "ref-positive", "top");
    assertReason(
        rejected.get("ref-length"),
        "EXTRA_LENGTH_MISMATCH",
        "token_logprobs has 2, ref_logprobs has 1");
    assertReason(rejected.get("entropy"), "INVALID_TOKEN_ENTROPY", "Invalid token_entropies");
    assertReason(rejected.get("ref-positive"), "INVALID_REF_LOGPROB", "Invalid ref_logprobs");
    assertReason(rejected.get("top"), "INVALID_TOP_LOGPROBS", "Invalid top_logprobs or vocab_size");
  }

  private static Row extras(
      String id, Double[] logprobs, Double[] entropies, Double[] ref, Double[][] top) {
    return RowFactory.create(id, "m", "t", "d", logprobs, "ab", entropies, ref, top, 5);
  }

  @Test
  void logitsChunksThatCannotBeScoredAreRejectedWithTheirReason() {
    StructType schema =
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
            .add("ref_logits", DataTypes.BinaryType)
            .add("text", DataTypes.StringType)
            .add("num_bytes", DataTypes.IntegerType);
    byte[] z = floats(1, 2, 3);
    List<Row> rows = new ArrayList<>();
    rows.add(logits("good", 0, new Integer[] {2}, 3, "float32", z, z, "ab", null));
    rows.add(logits("no-targets", 0, new Integer[] {}, 3, "float32", z, null, "ab", null));
    rows.add(logits("no-logits", 0, new Integer[] {0}, 3, "float32", null, null, "ab", null));
    // 2 positions need 2 x 3 floats; the blob has 3.
    rows.add(logits("shape", 0, new Integer[] {0, 1}, 3, "float32", z, null, "ab", null));
    rows.add(logits("vocab", 0, new Integer[] {0}, 0, "float32", z, null, "ab", null));
    rows.add(logits("dtype", 0, new Integer[] {0}, 3, "int8", z, null, "ab", null));
    byte[] minusInf = floats(Float.NEGATIVE_INFINITY, 2, 3);
    rows.add(logits("zero-p", 0, new Integer[] {0}, 3, "float32", minusInf, null, "ab", null));
    rows.add(logits("ref", 0, new Integer[] {0}, 3, "float32", z, floats(1, 2), "ab", null));
    rows.add(logits("first", -1, new Integer[] {0}, 3, "float32", z, null, "ab", null));
    // "abc" is 3 bytes; the chunk says 4.
    rows.add(logits("counts", 0, new Integer[] {0}, 3, "float32", z, null, "abc", 4));
    // Chunks [0, 2) and [1, 2) overlap.
    byte[] z2 = floats(1, 2, 3, 1, 2, 3);
    rows.add(logits("overlap", 0, new Integer[] {0, 1}, 3, "float32", z2, null, "ab", null));
    rows.add(logits("overlap", 1, new Integer[] {1}, 3, "float32", z, null, null, null));
    Map<String, Row> rejected = score(schema, rows);

    assertReason(rejected.get("no-targets"), "MISSING_TARGET_IDS", "Invalid target_ids");
    assertReason(rejected.get("no-logits"), "MISSING_LOGITS", "Invalid logits");
    assertReason(rejected.get("shape"), "INVALID_LOGITS_SHAPE", "Invalid shape of logits");
    assertReason(rejected.get("vocab"), "INVALID_VOCAB_SIZE", "Invalid shape of logits");
    assertReason(rejected.get("dtype"), "INVALID_LOGITS_DTYPE", "Invalid logits_dtype");
    assertReason(rejected.get("zero-p"), "TARGET_PROBABILITY_ZERO", "Invalid logits at position 0");
    assertReason(rejected.get("ref"), "INVALID_REF_LOGITS", "Invalid ref_logits");
    assertReason(rejected.get("first"), "INVALID_FIRST_POSITION", "Invalid first_position");
    assertReason(
        rejected.get("counts"), "TEXT_COUNT_MISMATCH", "num_bytes = 4", "text has 3 UTF-8 bytes");
    assertReason(rejected.get("overlap"), "INVALID_CHUNKS", "[0, 2) [1, 2)");
    assertThat(rejected).doesNotContainKey("good").hasSize(10);
  }

  private static Row logits(
      String id,
      int first,
      Integer[] targets,
      int vocab,
      String dtype,
      byte[] logits,
      byte[] ref,
      String text,
      Integer bytes) {
    return RowFactory.create(
        id, "m", "t", "d", first, targets, vocab, dtype, logits, ref, text, bytes);
  }

  private static byte[] floats(float... values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      out.putFloat(v);
    }
    return out.array();
  }

  /** Scores the rows; the good row must be scored; returns rejected/ by sequence id. */
  private Map<String, Row> score(StructType schema, List<Row> rows) {
    Path in = tmp.resolve("in");
    Shards.write(spark, in, schema, rows);
    String out = tmp.resolve("out").toString();
    RunResult result =
        ScoreJob.run(
            spark,
            new ScoreRequest(
                List.of(in.toString()),
                out,
                "reasons",
                JobConfig.load(null, List.of("validation.max-rejected-fraction=1"))));
    assertThat(result.run().accountingOk()).isTrue();
    assertThat(spark.read().parquet(out + "/sequences").select("sequence_id").collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly("good");
    Map<String, Row> rejected = new HashMap<>();
    for (Row r : spark.read().parquet(out + "/rejected").collectAsList()) {
      rejected.put(r.getAs("sequence_id"), r);
    }
    return rejected;
  }

  private static void assertReason(Row r, String reason, String... fragments) {
    assertThat(r).isNotNull();
    assertThat(r.<String>getAs("reason")).isEqualTo(reason);
    assertThat(r.<String>getAs("message")).contains(fragments);
  }
}
