package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.corpora.DemoLogitsWriter;
import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.config.JobConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end runs of the soft metrics: the logits layout (chunks, three forms, reference logits,
 * rejections) and the log-prob layout's extras, with figures from METRICS.md's vectors or computed
 * here by textbook formulas, never by the code under test.
 */
class SoftMetricsJobTest extends LocalSparkTest {
  private static final double LN2 = Math.log(2);
  private static final double LN3 = Math.log(3);
  private static final double H123 = 0.8323955818399389;
  private static final double KL_P_U = 0.26621670682817067;
  private static final double KL_U_P = 0.3089936757762707;
  // ln softmax([1, 2, 3]) at 1, 2 and 3.
  private static final double[] LOGP = {-2.40760596444438, -1.40760596444438, -0.40760596444438};

  @TempDir Path tmp;

  private static final float[] Z123 = {1, 2, 3};
  private static final float[] UNIFORM3 = {0, 0, 0};

  // ---------------------------------------------------------------- the logits layout

  private static StructType logitsSchema(DataType logits) {
    return labels()
        .add("first_position", DataTypes.IntegerType, true)
        .add("target_ids", DataTypes.createArrayType(DataTypes.IntegerType, true), true)
        .add("vocab_size", DataTypes.IntegerType, true)
        .add("logits_dtype", DataTypes.StringType, true)
        .add("logits", logits, true)
        .add("ref_logits", logits, true)
        .add("text", DataTypes.StringType, true);
  }

  private static StructType labels() {
    return new StructType()
        .add("sequence_id", DataTypes.StringType, true)
        .add("model", DataTypes.StringType, true)
        .add("tokenizer", DataTypes.StringType, true)
        .add("domain", DataTypes.StringType, true);
  }

  /** A chunk row with binary little-endian logits of {@code dtype}, one float[] per position. */
  private static Row blobChunk(
      String id,
      String model,
      int first,
      int[] targets,
      String dtype,
      float[][] logits,
      float[][] ref,
      String text) {
    return RowFactory.create(
        id,
        model,
        "tok",
        "d",
        first,
        boxed(targets),
        logits[0].length,
        dtype,
        encode(logits, dtype),
        ref == null ? null : encode(ref, dtype),
        text);
  }

  /** The test's own encoder: float32, or bfloat16 / float16 of values exact in them. */
  private static byte[] encode(float[][] positions, String dtype) {
    int width = dtype.equals("float32") ? 4 : 2;
    ByteBuffer out =
        ByteBuffer.allocate(positions.length * positions[0].length * width)
            .order(ByteOrder.LITTLE_ENDIAN);
    for (float[] p : positions) {
      for (float v : p) {
        int bits = Float.floatToRawIntBits(v);
        switch (dtype) {
          case "float32" -> out.putFloat(v);
          case "bfloat16" -> {
            assertThat(bits & 0xFFFF).as("exact in bfloat16").isZero();
            out.putShort((short) (bits >>> 16));
          }
          case "float16" -> {
            // Small integers only: sign, exponent rebiased from 127 to 15, top 10 mantissa bits.
            if (v == 0) {
              out.putShort((short) 0);
            } else {
              int exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
              out.putShort(
                  (short) (((bits >>> 16) & 0x8000) | (exponent << 10) | ((bits >>> 13) & 0x3FF)));
            }
          }
          default -> throw new IllegalArgumentException(dtype);
        }
      }
    }
    return out.array();
  }

  private static Integer[] boxed(int[] values) {
    Integer[] out = new Integer[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static float[][] repeat(float[] position, int times) {
    float[][] out = new float[times][];
    for (int i = 0; i < times; i++) {
      out[i] = position;
    }
    return out;
  }

  @Test
  void chunkedBlobsWithReferenceGiveTheMetricsVectors() {
    // Sequence s1: 3 positions of logits [1, 2, 3], targets 3rd, 1st, 2nd token; the reference is
    // uniform. Two chunks, written in reverse order; text on the second one only.
    List<Row> rows = new ArrayList<>();
    rows.add(
        blobChunk(
            "s1", "m", 2, new int[] {1}, "bfloat16", repeat(Z123, 1), repeat(UNIFORM3, 1), "abc"));
    rows.add(
        blobChunk(
            "s1",
            "m",
            0,
            new int[] {2, 0},
            "bfloat16",
            repeat(Z123, 2),
            repeat(UNIFORM3, 2),
            null));
    // Sequence s2: one float16 chunk without a reference row value: no KL for it.
    rows.add(
        blobChunk(
            "s2",
            "m",
            0,
            new int[] {0, 1, 2, 3},
            "float16",
            repeat(new float[] {2, 2, 2, 2}, 4),
            null,
            "héllo"));
    String in = write("chunks", logitsSchema(DataTypes.BinaryType), rows);
    String out = dir("out");
    RunResult result = run(in, out);

    Map<String, Row> sequences = sequences(out);
    Row s1 = sequences.get("s1");
    double nll = -(LOGP[2] + LOGP[0] + LOGP[1]);
    assertThat(s1.<Long>getAs("tokens")).isEqualTo(3L);
    assertThat(s1.<Double>getAs("nll_sum")).isCloseTo(nll, within(1e-13));
    assertThat(s1.<Double>getAs("mean_entropy")).isCloseTo(H123, within(1e-14));
    // P_ref = uniform, Q = softmax([1, 2, 3]).
    assertThat(s1.<Double>getAs("kl_forward")).isCloseTo(KL_U_P, within(1e-14));
    assertThat(s1.<Double>getAs("kl_reverse")).isCloseTo(KL_P_U, within(1e-14));
    assertThat(s1.<Double>getAs("cross_entropy_ref")).isCloseTo(LN3 + KL_U_P, within(1e-14));
    assertThat(s1.<Long>getAs("bytes")).isEqualTo(3L);
    assertThat(s1.isNullAt(s1.fieldIndex("kl_k1"))).isTrue();

    Row s2 = sequences.get("s2");
    assertThat(s2.<Double>getAs("mean_nll")).isCloseTo(Math.log(4), within(1e-14));
    assertThat(s2.<Double>getAs("ppl")).isCloseTo(4, within(1e-12));
    assertThat(s2.<Double>getAs("mean_entropy")).isCloseTo(Math.log(4), within(1e-14));
    assertThat(s2.isNullAt(s2.fieldIndex("kl_forward"))).isTrue();
    assertThat(s2.<Long>getAs("bytes")).isEqualTo(6L);
    assertThat(s2.<Long>getAs("chars")).isEqualTo(5L);

    Row corpus = corpus(out).get("m|tok|d");
    assertThat(corpus.<Long>getAs("tokens")).isEqualTo(7L);
    assertThat(corpus.<Double>getAs("nll_sum")).isCloseTo(nll + 4 * Math.log(4), within(1e-13));
    assertThat(corpus.<Double>getAs("bits_per_byte"))
        .isCloseTo((nll + 4 * Math.log(4)) / (LN2 * 9), within(1e-13));
    assertThat(corpus.<Double>getAs("mean_entropy"))
        .isCloseTo((3 * H123 + 4 * Math.log(4)) / 7, within(1e-14));
    // s2 has no reference: the group's KL columns are null, not a mean over s1 alone.
    assertThat(corpus.isNullAt(corpus.fieldIndex("kl_forward"))).isTrue();
    // s2 is uniform over its 4 tokens, which pulls the group's mean NLL above 0.9 ln 4.
    assertThat(corpus.<scala.collection.Seq<String>>getAs("flags").mkString(","))
        .isEqualTo("UNIFORM_LIKE");

    assertThat(result.run().format()).isEqualTo("logits");
    assertThat(result.run().rowsRead()).isEqualTo(3);
    assertThat(result.run().rowsScored()).isEqualTo(3);
    assertThat(result.run().sequencesScored()).isEqualTo(2);
    assertThat(result.run().accountingOk()).isTrue();
  }

  @Test
  void flatAndNestedListsScoreLikeBlobs() {
    float[][] z = {{1, 2, 3}, {0.5f, -1, 4}};
    float[][] r = {{0, 0, 0}, {1, 2, 3}};
    StructType flatSchema = logitsSchema(DataTypes.createArrayType(DataTypes.FloatType, true));
    StructType nestedSchema =
        logitsSchema(
            DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType, true), true));
    String flat =
        write(
            "flat",
            flatSchema,
            List.of(
                RowFactory.create(
                    "s",
                    "m",
                    "tok",
                    "d",
                    0,
                    boxed(new int[] {2, 1}),
                    3,
                    null,
                    flatten(z),
                    flatten(r),
                    "ab")));
    String nested =
        write(
            "nested",
            nestedSchema,
            List.of(
                RowFactory.create(
                    "s",
                    "m",
                    "tok",
                    "d",
                    0,
                    boxed(new int[] {2, 1}),
                    null,
                    null,
                    nest(z),
                    nest(r),
                    "ab")));
    String blob =
        write(
            "blob",
            logitsSchema(DataTypes.BinaryType),
            List.of(blobChunk("s", "m", 0, new int[] {2, 1}, "float32", z, r, "ab")));
    Row a = sequences(runTo(flat)).get("s");
    Row b = sequences(runTo(nested)).get("s");
    Row c = sequences(runTo(blob)).get("s");
    // Position 2: logits [0.5, -1, 4], target 1: ln sum exp - (-1), computed here in double.
    double lse2 = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(4));
    assertThat(a.<Double>getAs("nll_sum")).isCloseTo(-LOGP[2] + lse2 + 1, within(1e-13));
    for (String column :
        List.of("nll_sum", "mean_entropy", "kl_forward", "kl_reverse", "cross_entropy_ref")) {
      assertThat(b.<Double>getAs(column)).as(column).isEqualTo(a.<Double>getAs(column));
      assertThat(c.<Double>getAs(column)).as(column).isEqualTo(a.<Double>getAs(column));
    }
  }

  @Test
  void zeroMassAgainstAnUnderflowedProbabilityGivesInfiniteKlInSequencesAndCorpus() {
    // The example: model logits [0, -inf] against reference [0, -1000]. The reference has
    // mass e^-1000 where the model has none: KL(P_ref||Q) = H(P_ref, Q) = +inf; KL(Q||P_ref) =
    // ln(1 + e^-1000), 0 in double. Model "rev" has the mirror image: KL(Q||P_ref) = +inf, which
    // must raise the KL alarm. Each group also has a finite sequence: logits [1, 2] against a
    // uniform reference.
    float inf = Float.NEGATIVE_INFINITY;
    StructType schema = logitsSchema(DataTypes.createArrayType(DataTypes.FloatType, true));
    List<Row> rows = new ArrayList<>();
    for (String model : List.of("fwd", "rev")) {
      Float[] z = model.equals("fwd") ? new Float[] {0f, inf} : new Float[] {0f, -1000f};
      Float[] r = model.equals("fwd") ? new Float[] {0f, -1000f} : new Float[] {0f, inf};
      rows.add(
          RowFactory.create(
              "edge", model, "tok", "d", 0, boxed(new int[] {0}), 2, null, z, r, "a"));
      rows.add(
          RowFactory.create(
              "plain",
              model,
              "tok",
              "d",
              0,
              boxed(new int[] {1}),
              2,
              null,
              new Float[] {1f, 2f},
              new Float[] {0f, 0f},
              "b"));
    }
    String in = write("zero-mass", schema, rows);
    String out = dir("zero-mass-out");
    run(in, out);

    // The plain sequence, by the textbook formulas: Q = softmax([1, 2]), P = uniform.
    double q0 = Math.exp(1) / (Math.exp(1) + Math.exp(2));
    double q1 = Math.exp(2) / (Math.exp(1) + Math.exp(2));
    double plainForward =
        0.5 * (Math.log(0.5) - Math.log(q0)) + 0.5 * (Math.log(0.5) - Math.log(q1));
    double plainReverse = q0 * (Math.log(q0) - Math.log(0.5)) + q1 * (Math.log(q1) - Math.log(0.5));
    double plainCross = -0.5 * Math.log(q0) - 0.5 * Math.log(q1);
    Map<String, Row> sequences =
        byKey(out + "/sequences", r -> r.<String>getAs("model") + "|" + r.getAs("sequence_id"));
    Row fwd = sequences.get("fwd|edge");
    assertThat(fwd.<Double>getAs("kl_forward")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(fwd.<Double>getAs("cross_entropy_ref")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(fwd.<Double>getAs("kl_reverse")).isCloseTo(0.0, within(1e-15));
    assertThat(fwd.<Double>getAs("mean_entropy")).isCloseTo(0.0, within(1e-15));
    Row rev = sequences.get("rev|edge");
    assertThat(rev.<Double>getAs("kl_reverse")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(rev.<Double>getAs("kl_forward")).isCloseTo(0.0, within(1e-15));
    assertThat(rev.<Double>getAs("cross_entropy_ref")).isCloseTo(0.0, within(1e-15));
    assertThat(sequences.get("rev|plain").<Double>getAs("kl_forward"))
        .isCloseTo(plainForward, within(1e-14));

    Map<String, Row> corpus = corpus(out);
    for (String domain : List.of("d", "__all__")) {
      Row f = corpus.get("fwd|tok|" + domain);
      assertThat(f.<Double>getAs("kl_forward")).as(domain).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(f.<Double>getAs("cross_entropy_ref")).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(f.<Double>getAs("kl_reverse")).isCloseTo(plainReverse / 2, within(1e-14));
      assertThat(f.<scala.collection.Seq<String>>getAs("flags").mkString(","))
          .doesNotContain("KL_");
      Row r = corpus.get("rev|tok|" + domain);
      assertThat(r.<Double>getAs("kl_reverse")).as(domain).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(r.<Double>getAs("kl_forward")).isCloseTo(plainForward / 2, within(1e-14));
      assertThat(r.<Double>getAs("cross_entropy_ref")).isCloseTo(plainCross / 2, within(1e-14));
      assertThat(r.<scala.collection.Seq<String>>getAs("flags").mkString(",")).contains("KL_ALARM");
    }
  }

  private static Float[] flatten(float[][] positions) {
    List<Float> out = new ArrayList<>();
    for (float[] p : positions) {
      for (float v : p) {
        out.add(v);
      }
    }
    return out.toArray(new Float[0]);
  }

  private static Float[][] nest(float[][] positions) {
    Float[][] out = new Float[positions.length][];
    for (int i = 0; i < positions.length; i++) {
      out[i] = new Float[positions[i].length];
      for (int j = 0; j < positions[i].length; j++) {
        out[i][j] = positions[i][j];
      }
    }
    return out;
  }

  @Test
  void logitsAndTheLogprobsDerivedFromThemGiveTheSameFigures() {
    // Three sequences of 5 positions, V = 6, deterministic logits; the log-probs are computed here
    // with the textbook formula (no shift) in double and shipped as list<double>.
    List<Row> logitRows = new ArrayList<>();
    List<Row> logprobRows = new ArrayList<>();
    java.util.Random random = new java.util.Random(7);
    for (int s = 0; s < 3; s++) {
      float[][] z = new float[5][6];
      int[] targets = new int[5];
      Double[] logprobs = new Double[5];
      for (int t = 0; t < 5; t++) {
        double denominator = 0;
        for (int i = 0; i < 6; i++) {
          z[t][i] = (float) (random.nextGaussian() * 2);
          denominator += Math.exp(z[t][i]);
        }
        targets[t] = random.nextInt(6);
        logprobs[t] = z[t][targets[t]] - Math.log(denominator);
      }
      String text = "sequence " + s + " é";
      logitRows.add(blobChunk("s" + s, "m", 0, targets, "float32", z, null, text));
      logprobRows.add(RowFactory.create("s" + s, "m", "tok", "d", logprobs, text));
    }
    String logits = write("as-logits", logitsSchema(DataTypes.BinaryType), logitRows);
    String logprobs =
        write(
            "as-logprobs",
            labels()
                .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType, false))
                .add("text", DataTypes.StringType),
            logprobRows);
    Row a = corpus(runTo(logits)).get("m|tok|d");
    Row b = corpus(runTo(logprobs)).get("m|tok|d");
    for (String column : List.of("mean_nll", "ppl_token", "bits_per_byte", "bits_per_char")) {
      assertThat(a.<Double>getAs(column))
          .as(column)
          .isCloseTo(b.<Double>getAs(column), within(1e-12 * b.<Double>getAs(column)));
    }
    assertThat(a.<Long>getAs("bytes")).isEqualTo(b.<Long>getAs("bytes"));
    assertThat(a.<Long>getAs("tokens")).isEqualTo(15L);
  }

  @Test
  void badChunksRejectTheirWholeSequenceAndEveryRowIsAccountedFor() {
    float[][] ok2 = repeat(Z123, 2);
    List<Row> rows = new ArrayList<>();
    // gap: positions [0, 2) and [3, 5)
    rows.add(blobChunk("gap", "m", 0, new int[] {0, 1}, "float32", ok2, null, "ab"));
    rows.add(blobChunk("gap", "m", 3, new int[] {0, 1}, "float32", ok2, null, null));
    // a NaN logit in the second chunk: that chunk INVALID_LOGIT, the first one follows it
    rows.add(blobChunk("nan", "m", 0, new int[] {0, 1}, "float32", ok2, null, "ab"));
    rows.add(
        blobChunk(
            "nan",
            "m",
            2,
            new int[] {0, 1},
            "float32",
            new float[][] {Z123, {1, Float.NaN, 3}},
            null,
            null));
    // counts disagree
    rows.add(blobChunk("counts", "m", 0, new int[] {0}, "float32", repeat(Z123, 1), null, "ab"));
    rows.add(blobChunk("counts", "m", 1, new int[] {0}, "float32", repeat(Z123, 1), null, "abc"));
    // no text anywhere
    rows.add(blobChunk("notext", "m", 0, new int[] {0}, "float32", repeat(Z123, 1), null, null));
    // a target out of the vocabulary
    rows.add(blobChunk("target", "m", 0, new int[] {0, 3}, "float32", ok2, null, "ab"));
    // a good one
    rows.add(blobChunk("good", "m", 0, new int[] {2}, "float32", repeat(Z123, 1), null, "ab"));
    // a missing label
    rows.add(blobChunk("", "m", 0, new int[] {2}, "float32", repeat(Z123, 1), null, "ab"));
    String in = write("bad", logitsSchema(DataTypes.BinaryType), rows);
    String out = dir("bad-out");
    // 9 of the 10 rows are bad: above the default max-rejected-fraction, which is not tested here.
    RunResult result =
        ScoreJob.run(
            spark,
            new ScoreRequest(
                List.of(in),
                out,
                "run-1",
                JobConfig.load(null, List.of("validation.max-rejected-fraction=1"))));

    assertThat(sequences(out)).containsOnlyKeys("good");
    Map<Long, Row> rejected = byKey(out + "/rejected", r -> r.<Long>getAs("source_row"));
    assertThat(rejected).hasSize(rows.size() - 1);
    assertReason(rejected.get(0L), "INVALID_CHUNKS", "[0, 2) [3, 5)", "sequence gap");
    assertReason(rejected.get(1L), "INVALID_CHUNKS", "row 1");
    assertReason(rejected.get(3L), "INVALID_LOGIT", "logits at position 3 (element 1", "row 3");
    assertReason(
        rejected.get(2L),
        "SEQUENCE_CHUNK_REJECTED",
        "[0, 2)",
        "row 3 was rejected (INVALID_LOGIT)");
    assertReason(rejected.get(4L), "CHUNK_COUNTS_DISAGREE", "gives bytes 2", "gives bytes 3");
    assertReason(rejected.get(5L), "CHUNK_COUNTS_DISAGREE");
    assertReason(rejected.get(6L), "MISSING_TEXT_AND_COUNTS", "no chunk of it has text");
    assertReason(rejected.get(7L), "INVALID_TARGET_ID", "target_ids[1] = 3");
    assertReason(rejected.get(9L), "MISSING_LABEL", "sequence_id");
    assertThat(rejected.get(9L).<String>getAs("model")).isEqualTo("m");
    assertThat(result.run().rowsRead()).isEqualTo(rows.size());
    assertThat(result.run().rowsScored()).isEqualTo(1);
    assertThat(result.run().rowsRejected()).isEqualTo(rows.size() - 1);
    assertThat(result.run().accountingOk()).isTrue();
  }

  private static void assertReason(Row r, String reason, String... fragments) {
    assertThat(r).isNotNull();
    assertThat(r.<String>getAs("reason")).isEqualTo(reason);
    if (fragments.length > 0) {
      assertThat(r.<String>getAs("message")).contains(fragments);
    }
  }

  // ---------------------------------------------------------------- the logprobs layout's extras

  @Test
  void logprobExtrasGiveEntropyKlEstimatesBoundsAndFlags() {
    StructType schema =
        labels()
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType, false))
            .add("text", DataTypes.StringType)
            .add("token_entropies", DataTypes.createArrayType(DataTypes.FloatType, true))
            .add("ref_logprobs", DataTypes.createArrayType(DataTypes.DoubleType, true))
            .add(
                "top_logprobs",
                DataTypes.createArrayType(
                    DataTypes.createArrayType(DataTypes.DoubleType, true), true))
            .add("vocab_size", DataTypes.IntegerType);
    // METRICS.md's top-k vector: p = [.5, .2, ...], k = 2, V = 5.
    Double[] top = {Math.log(0.5), Math.log(0.2)};
    double lower = 1.151292546497023;
    double upper = 1.3592367006650066;
    double d1 = Math.log(0.25) - Math.log(0.5); // ln pi_ref - ln pi
    double d2 = Math.log(0.5) - Math.log(0.2);
    List<Row> rows =
        List.of(
            RowFactory.create(
                "a",
                "healthy",
                "tok",
                "d",
                new Double[] {Math.log(0.5), Math.log(0.2)},
                "ab",
                new Float[] {1.0f, 1.25f},
                new Double[] {Math.log(0.25), Math.log(0.5)},
                new Double[][] {top, top},
                5),
            RowFactory.create(
                "b",
                "collapsed",
                "tok",
                "d",
                new Double[] {-0.001},
                "a",
                new Float[] {0.01f},
                new Double[] {-20.0},
                null,
                5),
            RowFactory.create(
                "c",
                "healthy",
                "tok",
                "d",
                new Double[] {-1.0},
                "a",
                new Float[] {1f, 2f},
                null,
                null,
                5));
    String in = write("extras", schema, rows);
    String out = dir("extras-out");
    RunResult result = run(in, out);

    Map<String, Row> sequences = sequences(out);
    Row a = sequences.get("a");
    assertThat(a.<Double>getAs("mean_entropy")).isCloseTo(1.125, within(1e-15));
    assertThat(a.<Double>getAs("kl_k1")).isCloseTo(-(d1 + d2) / 2, within(1e-15));
    assertThat(a.<Double>getAs("kl_k2")).isCloseTo((d1 * d1 + d2 * d2) / 4, within(1e-15));
    assertThat(a.<Double>getAs("kl_k3"))
        .isCloseTo((Math.exp(d1) - 1 - d1 + Math.exp(d2) - 1 - d2) / 2, within(1e-15));
    assertThat(a.<Double>getAs("entropy_lower")).isCloseTo(lower, within(1e-14));
    assertThat(a.<Double>getAs("entropy_upper")).isCloseTo(upper, within(1e-14));
    assertThat(a.isNullAt(a.fieldIndex("kl_forward"))).isTrue();

    Map<String, Row> rejected = byKey(out + "/rejected", r -> r.<String>getAs("sequence_id"));
    assertReason(
        rejected.get("c"), "EXTRA_LENGTH_MISMATCH", "token_logprobs has 1, token_entropies has 2");

    Map<String, Row> corpus = corpus(out);
    Row collapsed = corpus.get("collapsed|tok|d");
    assertThat(collapsed.<scala.collection.Seq<String>>getAs("flags").mkString(","))
        .isEqualTo("ENTROPY_COLLAPSE,KL_ALARM");
    Row healthy = corpus.get("healthy|tok|d");
    assertThat(healthy.<scala.collection.Seq<String>>getAs("flags").isEmpty()).isTrue();
    assertThat(healthy.<Double>getAs("entropy_upper")).isCloseTo(upper, within(1e-14));
    assertThat(result.run().accountingOk()).isTrue();
  }

  @Test
  void logitsFiguresDoNotDependOnFilesBatchesOrChunkOrder() {
    // The demo's generator shuffles chunks within a file; here the same 24 sequences go to 1 file
    // read 8 rows at a time, and to 3 files read 3 rows at a time.
    DemoLogitsWriter.Shape shape = DemoLogitsWriter.Shape.DEMO;
    String one = dir("one");
    String three = dir("three");
    DemoLogitsWriter.writeLogits(spark, shape, 24, 1, one);
    DemoLogitsWriter.writeLogits(spark, shape, 24, 3, three);
    String outOne = dir("one-out");
    String outThree = dir("three-out");
    ScoreJob.run(spark, new ScoreRequest(List.of(one), outOne, "a", JobConfig.defaults()));
    ScoreJob.run(
        spark,
        new ScoreRequest(
            List.of(three),
            outThree,
            "b",
            JobConfig.load(null, List.of("read.logits-batch-rows=3"))));
    for (String table : List.of("sequences", "corpus")) {
      List<String> a = sorted(outOne, table);
      List<String> b = sorted(outThree, table);
      assertThat(b).as(table).isEqualTo(a);
      assertThat(a).as(table).isNotEmpty();
    }
  }

  /** A table's rows without run_id and the input file they came from, as sorted strings. */
  private static List<String> sorted(String output, String table) {
    var frame = spark.read().parquet(output + "/" + table).drop("run_id");
    if (List.of(frame.columns()).contains("source_file")) {
      frame = frame.drop("source_file", "file_key");
    }
    return frame.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  // ---------------------------------------------------------------- helpers

  private String dir(String name) {
    return tmp.resolve(name).toString();
  }

  private String write(String name, StructType schema, List<Row> rows) {
    String path = dir(name);
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path);
    return path;
  }

  private RunResult run(String input, String output) {
    return ScoreJob.run(
        spark, new ScoreRequest(List.of(input), output, "run-1", JobConfig.defaults()));
  }

  private String runTo(String input) {
    String out = input + "-out";
    run(input, out);
    return out;
  }

  private static Map<String, Row> sequences(String output) {
    return byKey(output + "/sequences", r -> r.<String>getAs("sequence_id"));
  }

  private static Map<String, Row> corpus(String output) {
    return byKey(
        output + "/corpus",
        r -> r.getAs("model") + "|" + r.getAs("tokenizer") + "|" + r.getAs("domain"));
  }

  private static <K> Map<K, Row> byKey(String path, Function<Row, K> key) {
    Map<K, Row> out = new HashMap<>();
    for (Row r : spark.read().parquet(path).collectAsList()) {
      assertThat(out.put(key.apply(r), r)).as("duplicate key %s", key.apply(r)).isNull();
    }
    return out;
  }
}
