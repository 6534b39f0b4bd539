package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run may do to the paths around its output folder: a run id that is a path is refused
 * before anything is touched, a scheduler's id with {@code :} and {@code +} works, and an output
 * path that is a file is refused naming it.
 */
class OutputFolderTest extends LocalSparkTest {
  @TempDir Path tmp;

  static final StructType SCHEMA =
      new StructType()
          .add("sequence_id", DataTypes.StringType, false)
          .add("model", DataTypes.StringType, false)
          .add("tokenizer", DataTypes.StringType, false)
          .add("domain", DataTypes.StringType, false)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add("text", DataTypes.StringType, false);

  /**
   * A folder with one shard of three sequences of model m1, 2 + 1 + 3 tokens, with ids that start
   * with the folder's name.
   */
  static String shard(Path dir) {
    String id = dir.getFileName().toString();
    Shards.write(
        spark,
        dir,
        SCHEMA,
        List.of(
            RowFactory.create(id + "-a", "m1", "t", "web", new float[] {-1f, -2f}, "ab"),
            RowFactory.create(id + "-b", "m1", "t", "web", new float[] {-0.5f}, "c"),
            RowFactory.create(id + "-c", "m1", "t", "code", new float[] {-1f, -1f, -1f}, "def")));
    return dir.toString();
  }

  static void score(String input, String output, String runId) {
    scoreAll(List.of(input), output, runId);
  }

  /** Scores {@code inputs}, without the bootstrap (it is not what these tests are about). */
  static void scoreAll(List<String> inputs, String output, String runId) {
    JobConfig config = JobConfig.fromLocation(null, List.of("bootstrap.replicates=0"));
    ScoreJob.run(spark, new ScoreRequest(inputs, output, runId, config));
  }

  @Test
  void aRunIdThatIsAPathIsRefusedAndNoTableIsTouched() {
    String input = shard(tmp.resolve("in"));
    String out = tmp.resolve("out").toString();
    score(input, out, "first");

    for (String id : List.of("../sequences", tmp.resolve("in").toString())) {
      assertThatThrownBy(() -> score(input, out, id))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid --run-id: " + id + " (must be 1 to 128 of");
    }
    assertThat(spark.read().parquet(out + "/sequences").count()).isEqualTo(3);
    assertThat(Files.exists(tmp.resolve("in"))).isTrue();
  }

  @Test
  void anAirflowRunIdScoresAndIsStoredAsGiven() throws Exception {
    String input = shard(tmp.resolve("in"));
    String out = tmp.resolve("out").toString();
    String airflow = "scheduled__2026-11-25T00:00:00+00:00";

    score(input, out, airflow);

    assertThat(
            spark
                .read()
                .parquet(out + "/runs")
                .select("run_id")
                .as(Encoders.STRING())
                .collectAsList())
        .containsExactly(airflow);
    assertThat(
            spark
                .read()
                .parquet(out + "/sequences")
                .select("run_id")
                .distinct()
                .as(Encoders.STRING())
                .collectAsList())
        .containsExactly(airflow);
    assertThat(tmp.resolve("out/_staging")).isEmptyDirectory();
  }

  @Test
  void aRunIntoAFolderWhoseLockALiveRunHoldsStopsNamingItAndDeletesNothing() throws Exception {
    String input = shard(tmp.resolve("in"));
    String out = tmp.resolve("out").toString();
    score(input, out, "first");
    Path otherStage = Files.createDirectories(tmp.resolve("out/_staging/other/sequences"));
    ProcessHandle self = ProcessHandle.current();
    Files.writeString(
        tmp.resolve("out/_lock"),
        String.join(
            "\n",
            "run_id=other",
            "host=" + java.net.InetAddress.getLocalHost().getHostName(),
            "pid=" + self.pid(),
            "pid_namespace=" + Files.readSymbolicLink(Path.of("/proc/self/ns/pid")),
            "process_start=" + self.info().startInstant().orElseThrow(),
            "since=2026-12-07T06:00:00Z",
            "lease_ms=600000",
            "token=held-by-other",
            ""));

    Throwable error =
        org.assertj.core.api.Assertions.catchThrowable(() -> score(input, out, "second"));

    assertThat(error)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Cannot write into "
                + out
                + ": run other (host "
                + java.net.InetAddress.getLocalHost().getHostName()
                + ", pid "
                + self.pid()
                + ", since 2026-12-07T06:00:00Z) holds its lock until ")
        .hasMessageEndingWith(
            "(one run at a time per output folder: wait for it to end, or use another --output;"
                + " a killed run's lock expires then)");
    assertThat(otherStage).exists();
    assertThat(tmp.resolve("out/_lock")).content().contains("token=held-by-other");
    assertThat(
            spark
                .read()
                .parquet(out + "/runs")
                .select("run_id")
                .as(Encoders.STRING())
                .collectAsList())
        .containsExactly("first");
  }

  @Test
  void anOutputPathThatIsAFileIsRefusedNamingIt() throws Exception {
    String input = shard(tmp.resolve("in"));
    Path file = Files.writeString(tmp.resolve("report.txt"), "not a folder");

    assertThatThrownBy(() -> score(input, file.toString(), "r1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid --output: " + file + " is a file (must be a folder)");
    assertThat(Files.readString(file)).isEqualTo("not a folder");
  }

  @Test
  void anOutputInsideTheInputIsRefusedBeforeAnythingIsWritten() {
    String input = shard(tmp.resolve("evals"));
    for (String out : List.of(input, tmp.resolve("evals/results").toString())) {
      assertThatThrownBy(() -> score(input, out, "r"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid --output: "
                  + out
                  + " is inside --input "
                  + input
                  + ", so its tables would be read as input (use an --output outside the input,"
                  + " or one whose name starts with _)");
    }
    assertThat(Files.exists(tmp.resolve("evals/results"))).isFalse();
    assertThat(Files.exists(tmp.resolve("evals/_lock"))).isFalse();

    // Behind a hidden name the tables are not read back: a second run scores the same 3 rows.
    String hidden = tmp.resolve("evals/_results").toString();
    score(input, hidden, "first");
    score(input, hidden, "second");
    assertThat(spark.read().parquet(hidden + "/sequences").count()).isEqualTo(3);
  }

  @Test
  void anInputInsideOneOfTheOutputsTablesIsRefused() {
    String out = tmp.resolve("out").toString();
    score(shard(tmp.resolve("in")), out, "first");

    String sequences = out + "/sequences";
    assertThatThrownBy(() -> score(sequences, out, "again"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Invalid --input: " + sequences + " is inside the output's sequences/ folder");
    assertThat(spark.read().parquet(sequences).count()).isEqualTo(3);
  }

  @Test
  void aRunStoppedByBadInputLeavesNoOutputFolderBehind() {
    String out = tmp.resolve("out").toString();
    assertThatThrownBy(() -> score(tmp.resolve("missing").toString(), out, "r"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Files.exists(tmp.resolve("out"))).isFalse();
  }
}
