package dev.softmetrics.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.corpora.DemoCorpusWriter;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar under {@code spark-submit}: a child JVM runs {@code
 * org.apache.spark.deploy.SparkSubmit} with only Spark's jars (the {@code provided} class path the
 * build records) and {@code softmetrics-job.jar}, so the jar must bring everything else itself. Its
 * tables must equal those of an in-process run over the same input.
 */
class SparkSubmitIT {
  @TempDir Path tmp;

  @Test
  void theJobJarRunsUnderSparkSubmitAndWritesTheSameCorpus() throws Exception {
    String input = tmp.resolve("input").toString();
    String local = tmp.resolve("local").toString();
    List<Row> expected;
    SparkSession spark = LocalSpark.start();
    try {
      DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(5, 8, 64, 50), 400, 2, input);
      ScoreJob.run(spark, new ScoreRequest(List.of(input), local, "local", JobConfig.defaults()));
      expected =
          spark
              .read()
              .parquet(local + "/corpus")
              .drop("run_id")
              .sort("model", "tokenizer", "domain")
              .collectAsList();
    } finally {
      spark.stop();
    }

    Path jar = Path.of("target", "softmetrics-job.jar").toAbsolutePath();
    String sparkClasspath =
        Files.readString(Path.of("target", "spark-classpath.txt"), StandardCharsets.UTF_8).trim();
    String submitted = tmp.resolve("submitted").toString();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", sparkClasspath, "org.apache.spark.deploy.SparkSubmit"));
    command.addAll(List.of("--master", "local[2]", "--deploy-mode", "client"));
    command.addAll(List.of("--conf", "spark.ui.enabled=false"));
    command.addAll(List.of("--class", SoftMetrics.class.getName(), jar.toString()));
    command.addAll(
        List.of("score", "--input", input, "--output", submitted, "--run-id", "submitted"));
    File out = tmp.resolve("stdout.txt").toFile();
    File err = tmp.resolve("stderr.txt").toFile();
    Process process = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("spark-submit finished").isTrue();
    String stdout = Files.readString(out.toPath(), StandardCharsets.UTF_8);
    String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("exit status; stderr:%n%s", stderr).isZero();
    assertThat(stdout).contains("\"run_id\":\"submitted\"").contains("\"rows_read\":400");

    spark = LocalSpark.start();
    try {
      List<Row> actual =
          spark
              .read()
              .parquet(submitted + "/corpus")
              .drop("run_id")
              .sort("model", "tokenizer", "domain")
              .collectAsList();
      assertThat(actual).isEqualTo(expected);
      Row run = spark.read().parquet(submitted + "/runs").first();
      assertThat(run.<String>getAs("master")).isEqualTo("local[2]");
      assertThat(run.<Boolean>getAs("accounting_ok")).isTrue();
    } finally {
      spark.stop();
    }
  }
}
