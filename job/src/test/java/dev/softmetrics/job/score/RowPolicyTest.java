package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.cli.Failures;
import dev.softmetrics.job.config.JobConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The row policies of the configuration: {@code validation.on-bad-row = fail} stops a run at the
 * first bad row with its message (exit status 2), and {@code validation.max-rejected-fraction}
 * fails a run that rejected too many rows, after writing {@code rejected/}.
 */
class RowPolicyTest extends LocalSparkTest {

  @TempDir Path tmp;

  private static final StructType LOGPROBS =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("model", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("text", DataTypes.StringType);

  private static Row row(String id, double... logprobs) {
    return RowFactory.create(id, "m", "t", "d", logprobs, "ab");
  }

  /** Four rows, of which {@code bad} (from the end) have a NaN log-prob. */
  private Path input(int bad) {
    List<Row> rows =
        java.util.stream.IntStream.range(0, 4)
            .mapToObj(i -> i >= 4 - bad ? row("x" + i, -1, Double.NaN) : row("g" + i, -1))
            .toList();
    return Shards.write(spark, tmp.resolve("in"), LOGPROBS, rows);
  }

  private RunResult run(Path input, String output, String... settings) {
    return ScoreJob.run(
        spark,
        new ScoreRequest(
            List.of(input.getParent().toString()),
            tmp.resolve(output).toString(),
            "policy",
            JobConfig.load(null, List.of(settings))));
  }

  @Test
  void failOnBadRowStopsAtTheBadRowWithItsMessageAndExitStatus2() {
    Path file = input(1);
    Throwable error = catchThrowable(() -> run(file, "out", "validation.on-bad-row=fail"));
    assertThat(Failures.exitCode(error)).isEqualTo(2);
    assertThat(Failures.line(error))
        .startsWith("softmetrics: error: Bad row (NON_FINITE_LOGPROB)")
        .contains("Invalid token_logprobs[1] = NaN in file:" + file + " row 3")
        .endsWith("Set validation.on-bad-row = reject to write bad rows to rejected/ instead");
    assertThat(Files.exists(tmp.resolve("out/runs"))).isFalse();
  }

  @Test
  void failOnBadRowStopsALogitsRunToo() {
    StructType schema =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("target_ids", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("vocab_size", DataTypes.IntegerType)
            .add("logits_dtype", DataTypes.StringType)
            .add("logits", DataTypes.BinaryType)
            .add("text", DataTypes.StringType);
    byte[] two =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).array();
    Path file =
        Shards.write(
            spark,
            tmp.resolve("in"),
            schema,
            List.of(
                RowFactory.create("a", "m", "t", "d", new Integer[] {1}, 2, "float32", two, "a"),
                RowFactory.create("b", "m", "t", "d", new Integer[] {2}, 2, "float32", two, "b")));
    Throwable error = catchThrowable(() -> run(file, "out", "validation.on-bad-row=fail"));
    assertThat(Failures.exitCode(error)).isEqualTo(2);
    assertThat(Failures.line(error))
        .startsWith("softmetrics: error: Bad row (INVALID_TARGET_ID)")
        .contains("target_ids[0] = 2 in file:" + file + " row 1");
  }

  @Test
  void aCleanRunIsNotStoppedByFailOnBadRow() {
    RunResult result = run(input(0), "out", "validation.on-bad-row=fail");
    assertThat(result.run().sequencesScored()).isEqualTo(4);
  }

  @Test
  void tooManyRejectedRowsFailTheRunAfterWritingRejectedAndRuns() {
    Path file = input(3);
    Throwable error = catchThrowable(() -> run(file, "out"));
    assertThat(Failures.exitCode(error)).isEqualTo(2);
    assertThat(error)
        .hasMessage(
            "Too many bad rows in run policy: rejected 3 of 4 rows (0.7500, above"
                + " validation.max-rejected-fraction = 0.5); rejected/ lists them with their"
                + " reasons, and runs/ marks the run failed");
    List<Row> rejected =
        spark.read().parquet(tmp.resolve("out/rejected").toString()).collectAsList();
    assertThat(rejected)
        .hasSize(3)
        .allSatisfy(r -> assertThat(r.<String>getAs("reason")).isEqualTo("NON_FINITE_LOGPROB"));
    Row run = spark.read().parquet(tmp.resolve("out/runs").toString()).first();
    assertThat(run.<String>getAs("status"))
        .isEqualTo(
            "failed: rejected 3 of 4 rows (0.7500, above validation.max-rejected-fraction = 0.5)");
    assertThat(run.<Boolean>getAs("accounting_ok")).isTrue();
  }

  @Test
  void aRejectedShareAtTheLimitPassesAndTheLimitIsConfigurable() {
    Path file = input(2);
    assertThat(run(file, "at-limit").run().status()).isEqualTo("succeeded");
    assertThatThrownBy(() -> run(file, "strict", "validation.max-rejected-fraction=0.25"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rejected 2 of 4 rows (0.5000, above");
    assertThat(run(file, "lenient", "validation.max-rejected-fraction=1").run().rowsRejected())
        .isEqualTo(2);
  }

  @Test
  void policiesAreValidated() {
    assertThatThrownBy(() -> JobConfig.load(null, List.of("validation.on-bad-row=skip")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid validation.on-bad-row: skip (must be reject or fail)");
    assertThatThrownBy(() -> JobConfig.load(null, List.of("validation.max-rejected-fraction=1.5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid validation.max-rejected-fraction: 1.5 (must be in [0, 1])");
    JobConfig defaults = JobConfig.defaults();
    assertThat(defaults.rowPolicy().failOnBadRow()).isFalse();
    assertThat(defaults.rowPolicy().maxRejectedFraction()).isEqualTo(0.5);
    assertThat(defaults.skipCorruptFiles()).isFalse();
  }
}
