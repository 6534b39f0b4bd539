package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.corpora.DemoCorpusWriter;
import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.SoftMetrics;
import dev.softmetrics.job.config.JobConfig;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed (SIGKILL) while it writes leaves the tables as they were, with no partial or
 * duplicate rows, and the next run into the folder discards what it left and writes the tables a
 * clean run writes.
 */
class KilledRunTest extends LocalSparkTest {
  @TempDir Path tmp;

  @Test
  void aRunKilledWhileWritingChangesNothingVisibleAndARerunWritesCleanTables() throws Exception {
    String input = tmp.resolve("input").toString();
    String output = tmp.resolve("out").toString();
    // Enough rows that scoring lasts seconds, and a few bad ones so that rejected/ has rows.
    DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(3, 64, 512, 500), 20_000, 4, input);
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "first", JobConfig.defaults()));
    List<String> before = tables(output);
    assertThat(before).anyMatch(r -> r.startsWith("R"));
    Path results = tmp.resolve("out/results.json");
    String resultsBefore = Files.readString(results);
    assertThat(resultsBefore).contains("\"run_id\" : \"first\"");

    Path staging = tmp.resolve("out/_staging/killed/sequences");
    Process child = startScore(input, output, "killed");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.exists(staging) && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(Files.exists(staging)).as("the child started writing sequences/").isTrue();
    } finally {
      child.destroyForcibly().waitFor();
    }
    assertThat(Files.exists(tmp.resolve("out/_staging/killed"))).isTrue();
    assertThat(tables(output)).as("what readers see after the kill").isEqualTo(before);
    assertThat(runIds(output)).containsExactly("first");
    assertThat(Files.readString(results))
        .as("results.json after the kill")
        .isEqualTo(resultsBefore);

    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "rerun", JobConfig.defaults()));
    assertThat(tables(output)).isEqualTo(before);
    assertThat(runIds(output)).containsExactlyInAnyOrder("first", "rerun");
    assertThat(Files.readString(results)).contains("\"run_id\" : \"rerun\"");
    try (Stream<Path> left = Files.list(tmp.resolve("out/_staging"))) {
      assertThat(left).isEmpty();
    }
  }

  /** {@code softmetrics score} in a child JVM with this JVM's class path and flags. */
  private Process startScore(String input, String output, String runId) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(SoftMetrics.class.getName());
    command.addAll(
        List.of(
            "score",
            "--input",
            input,
            "--output",
            output,
            "--run-id",
            runId,
            "--master",
            "local[2]"));
    File log = tmp.resolve("child.log").toFile();
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }

  /** sequences/, rejected/ and corpus/ without run ids, as sorted strings. */
  private static List<String> tables(String output) {
    List<String> rows = new ArrayList<>();
    for (String table : List.of("sequences", "rejected", "corpus")) {
      var frame = spark.read().parquet(output + "/" + table).drop("run_id");
      String tag = table.substring(0, 1).toUpperCase(java.util.Locale.ROOT);
      frame.collectAsList().forEach(r -> rows.add(tag + r));
    }
    rows.sort(null);
    return rows;
  }

  private static List<String> runIds(String output) {
    return spark
        .read()
        .parquet(output + "/runs")
        .select("run_id")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }
}
