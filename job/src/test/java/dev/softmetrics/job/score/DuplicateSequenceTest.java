package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.cli.Failures;
import dev.softmetrics.job.config.JobConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
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
 * The same (sequence_id, model, tokenizer) scored twice: the first copy by source file and row is
 * kept, the others go to {@code rejected/} as {@code DUPLICATE_SEQUENCE} naming the kept copy, and
 * every table equals that of a run on the kept copies alone.
 */
class DuplicateSequenceTest extends LocalSparkTest {

  @TempDir Path tmp;

  private static final StructType LOGPROBS =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("model", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("text", DataTypes.StringType);

  private static Row lp(String id, String model, String domain, double nll, String text) {
    return RowFactory.create(id, model, "t", domain, new double[] {-nll / 2, -nll / 2}, text);
  }

  @Test
  void logprobCopiesAfterTheFirstAreRejectedNamingItAndTheTablesEqualARunWithoutThem() {
    // File a (first by path): s1, s2, s2 again, s4 with a NaN (rejected for that, so no copy).
    Path a =
        Shards.write(
            spark,
            tmp.resolve("in/a"),
            LOGPROBS,
            List.of(
                lp("s1", "m", "d", 1.0, "one"),
                lp("s2", "m", "d", 2.0, "two"),
                lp("s2", "m", "d", 2.5, "two!"),
                RowFactory.create("s4", "m", "t", "d", new double[] {Double.NaN}, "four")));
    // File b: s1 in another domain (still a copy), s1 of another model (not a copy), s4 valid.
    Path b =
        Shards.write(
            spark,
            tmp.resolve("in/b"),
            LOGPROBS,
            List.of(
                lp("s1", "m", "d2", 3.0, "one?"),
                lp("s1", "m2", "d", 4.0, "one"),
                lp("s4", "m", "d", 5.0, "four")));
    // The kept copies alone, in two files of the same shape.
    Shards.write(
        spark,
        tmp.resolve("kept/a"),
        LOGPROBS,
        List.of(
            lp("s1", "m", "d", 1.0, "one"),
            lp("s2", "m", "d", 2.0, "two"),
            RowFactory.create("s4", "m", "t", "d", new double[] {Double.NaN}, "four")));
    Shards.write(
        spark,
        tmp.resolve("kept/b"),
        LOGPROBS,
        List.of(lp("s1", "m2", "d", 4.0, "one"), lp("s4", "m", "d", 5.0, "four")));

    RunResult result = run("in", "out");
    run("kept", "kept-out");

    Map<String, Row> rejected = rejected("out");
    assertThat(rejected).containsOnlyKeys("a#2", "a#3", "b#0");
    assertDuplicate(rejected.get("a#2"), "s2", "file:" + a + " row 2", "file:" + a + " row 1");
    assertDuplicate(rejected.get("b#0"), "s1", "file:" + b + " row 0", "file:" + a + " row 0");
    assertThat(rejected.get("a#3").<String>getAs("reason")).isEqualTo("NON_FINITE_LOGPROB");
    assertThat(result.run().rowsRejected()).isEqualTo(3);
    assertThat(result.run().sequencesScored()).isEqualTo(4);
    assertThat(result.run().accountingOk()).isTrue();
    assertThat(result.run().inputFiles())
        .extracting(f -> f.scored() + "+" + f.rejected())
        .containsExactly("2+2", "2+1");

    assertThat(rows("out", "corpus")).isEqualTo(rows("kept-out", "corpus"));
    assertThat(rows("out", "sequences")).isEqualTo(rows("kept-out", "sequences"));
  }

  @Test
  void failOnBadRowStopsAtTheFirstDuplicate() {
    Path a =
        Shards.write(
            spark,
            tmp.resolve("in/a"),
            LOGPROBS,
            List.of(lp("s1", "m", "d", 1.0, "one"), lp("s1", "m", "d", 1.0, "one")));
    Throwable error =
        catchThrowable(
            () ->
                ScoreJob.run(
                    spark,
                    new ScoreRequest(
                        List.of(a.getParent().toString()),
                        tmp.resolve("out").toString(),
                        "dup",
                        JobConfig.load(null, List.of("validation.on-bad-row=fail")))));
    assertThat(Failures.exitCode(error)).isEqualTo(2);
    assertThat(Failures.line(error))
        .startsWith("softmetrics: error: Bad row (DUPLICATE_SEQUENCE)")
        .contains("Duplicate sequence s1 (model m, tokenizer t) in file:" + a + " row 1")
        .contains("the copy in file:" + a + " row 0 is kept");
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
          .add("text", DataTypes.StringType);

  /** A one-position chunk over V = 3 with logits {@code z} and target {@code target}. */
  private static Row chunk(String id, String domain, int first, int target, float[] z) {
    ByteBuffer blob = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : z) {
      blob.putFloat(v);
    }
    return RowFactory.create(
        id,
        "m",
        "t",
        domain,
        first,
        new Integer[] {target},
        3,
        "float32",
        blob.array(),
        first == 0 ? "ab" : null);
  }

  private static final float[] Z = {1, 2, 3};
  private static final float[] U = {0, 0, 0};

  @Test
  void logitsChunksRepeatedInAnotherFileAndSequencesRepeatedInAnotherDomainAreDuplicates() {
    // File a: q in two chunks, r. File b: q's two chunks again, r in another domain, w.
    Path a =
        Shards.write(
            spark,
            tmp.resolve("in/a"),
            LOGITS,
            List.of(chunk("q", "d", 0, 2, Z), chunk("q", "d", 1, 0, Z), chunk("r", "d", 0, 1, U)));
    Path b =
        Shards.write(
            spark,
            tmp.resolve("in/b"),
            LOGITS,
            List.of(
                chunk("q", "d", 1, 0, Z),
                chunk("q", "d", 0, 2, Z),
                chunk("r", "d2", 0, 2, Z),
                chunk("w", "d", 0, 0, U)));
    Shards.write(
        spark,
        tmp.resolve("kept/a"),
        LOGITS,
        List.of(chunk("q", "d", 0, 2, Z), chunk("q", "d", 1, 0, Z), chunk("r", "d", 0, 1, U)));
    Shards.write(spark, tmp.resolve("kept/b"), LOGITS, List.<Row>of(chunk("w", "d", 0, 0, U)));

    RunResult result = run("in", "out");
    run("kept", "kept-out");

    Map<String, Row> rejected = rejected("out");
    assertThat(rejected).containsOnlyKeys("b#0", "b#1", "b#2");
    assertDuplicate(
        rejected.get("b#1"),
        "q",
        "file:" + b + " row 1 (positions [0, 1))",
        "file:" + a + " row 0");
    assertDuplicate(
        rejected.get("b#0"),
        "q",
        "file:" + b + " row 0 (positions [1, 2))",
        "file:" + a + " row 1");
    assertDuplicate(
        rejected.get("b#2"), "r", "file:" + b + " row 2 (domain d2", "file:" + a + " row 2");
    assertThat(result.run().accountingOk()).isTrue();
    assertThat(result.run().rowsRead()).isEqualTo(7);
    assertThat(result.run().rowsScored()).isEqualTo(4);
    assertThat(result.run().sequencesScored()).isEqualTo(3);
    assertThat(rows("out", "corpus")).isEqualTo(rows("kept-out", "corpus"));
    assertThat(rows("out", "sequences")).isEqualTo(rows("kept-out", "sequences"));
  }

  /**
   * Logits, over two runs into one folder: the second run's file repeats a sequence the first run
   * stored from another file (in another domain, too): the stored copy is kept and named.
   */
  @Test
  void logitsSequencesStoredByAnEarlierRunFromAnotherFileAreDuplicates() {
    Path a =
        Shards.write(
            spark,
            tmp.resolve("first/a"),
            LOGITS,
            List.of(chunk("q", "d", 0, 2, Z), chunk("q", "d", 1, 0, Z)));
    Path b =
        Shards.write(
            spark,
            tmp.resolve("second/b"),
            LOGITS,
            List.of(
                chunk("w", "d", 0, 0, U), chunk("q", "d2", 0, 1, U), chunk("q", "d2", 1, 1, U)));
    Shards.write(spark, tmp.resolve("only-w/b"), LOGITS, List.<Row>of(chunk("w", "d", 0, 0, U)));
    String out = tmp.resolve("out").toString();
    JobConfig config = JobConfig.load(null, List.of("validation.max-rejected-fraction=1"));
    ScoreJob.run(spark, new ScoreRequest(List.of(a.toString()), out, "first", config));

    RunResult second =
        ScoreJob.run(spark, new ScoreRequest(List.of(b.toString()), out, "second", config));

    Map<String, Row> rejected = rejected("out");
    assertThat(rejected).containsOnlyKeys("b#1", "b#2");
    assertDuplicate(
        rejected.get("b#1"),
        "q",
        "file:" + b + " row 1",
        "sequences/ (scored by an earlier run from file:" + a + ")");
    assertThat(second.run().accountingOk()).isTrue();
    assertThat(second.run().sequencesScored()).isEqualTo(1);
    String once = tmp.resolve("once").toString();
    ScoreJob.run(
        spark,
        new ScoreRequest(
            List.of(a.toString(), tmp.resolve("only-w/b").toString()), once, "once", config));
    assertThat(rows("out", "corpus")).isEqualTo(rows("once", "corpus"));
  }

  // ---------------------------------------------------------------- helpers

  private RunResult run(String input, String output) {
    List<String> folders =
        List.of(tmp.resolve(input + "/a").toString(), tmp.resolve(input + "/b").toString());
    return ScoreJob.run(
        spark,
        new ScoreRequest(
            folders,
            tmp.resolve(output).toString(),
            "dup",
            JobConfig.load(null, List.of("validation.max-rejected-fraction=1"))));
  }

  /** rejected/ by "folder#row", the folder being the file's parent (a or b). */
  private Map<String, Row> rejected(String output) {
    Map<String, Row> out = new HashMap<>();
    for (Row r :
        spark.read().parquet(tmp.resolve(output + "/rejected").toString()).collectAsList()) {
      Path file = Path.of(java.net.URI.create(r.getAs("source_file")));
      out.put(file.getParent().getFileName() + "#" + r.<Long>getAs("source_row"), r);
    }
    return out;
  }

  private static void assertDuplicate(Row r, String id, String where, String kept) {
    assertThat(r.<String>getAs("reason")).isEqualTo("DUPLICATE_SEQUENCE");
    assertThat(r.<String>getAs("sequence_id")).isEqualTo(id);
    assertThat(r.<String>getAs("message"))
        .startsWith("Duplicate sequence " + id + " (model m, tokenizer t) in " + where)
        .contains("the copy in " + kept + " is kept");
  }

  /** A table's rows without run_id and source_file, sorted, as strings. */
  private List<String> rows(String output, String table) {
    var frame = spark.read().parquet(tmp.resolve(output + "/" + table).toString()).drop("run_id");
    if (List.of(frame.columns()).contains("source_file")) {
      frame = frame.drop("source_file", "file_key");
    }
    return frame.collectAsList().stream().map(Row::toString).sorted().toList();
  }
}
