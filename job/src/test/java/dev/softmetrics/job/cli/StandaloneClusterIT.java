package dev.softmetrics.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.corpora.DemoCorpusWriter;
import dev.softmetrics.corpora.DemoLogitsWriter;
import dev.softmetrics.job.LocalSpark;
import dev.softmetrics.job.SoftMetrics;
import dev.softmetrics.job.cluster.ExecutorKiller;
import dev.softmetrics.job.cluster.SparkSubmitRun;
import dev.softmetrics.job.cluster.StandaloneCluster;
import dev.softmetrics.job.cluster.TableBits;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.score.RunResult;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real Spark standalone cluster: a Master and two Workers of one core on 127.0.0.1,
 * started from the Maven artifacts ({@link StandaloneCluster}). The job jar is submitted with
 * {@code SparkSubmit} in client mode (logits layout) and in cluster mode (log-prob layout; the
 * driver runs on a Worker and reads its configuration file from a URI), and run over the logits
 * again by a driver in this JVM, as {@code bin/softmetrics score --master URL} runs it, while an
 * executor JVM is killed mid-task. The tables must equal those of a local run over the same input,
 * to the last bit: the executors run the Vector API kernel (Spark 4.1 starts them with {@code
 * --add-modules=jdk.incubator.vector}, and their logs must say so), which gives the same bits as
 * the scalar one that this JVM runs without the module.
 */
class StandaloneClusterIT {
  private static final String SCORING_JOB = "score and write sequences/";
  private static final List<String> TABLES = List.of("sequences", "corpus", "rejected");
  private static final long SUBMIT_TIMEOUT_SECONDS = 300;
  private static final String VECTOR_LOADED = "Using incubator modules: jdk.incubator.vector";

  @TempDir static Path tmp;

  private static String sparkClasspath;
  private static StandaloneCluster cluster;
  private static String logprobsInput;
  private static String logitsInput;
  private static Map<String, TableBits> localLogprobs;
  private static Map<String, TableBits> localLogits;

  @BeforeAll
  static void startTheClusterAndScoreLocally() throws IOException {
    sparkClasspath =
        Files.readString(Path.of("target", "spark-classpath.txt"), StandardCharsets.UTF_8).trim();
    cluster = StandaloneCluster.start(tmp.resolve("cluster"), sparkClasspath, 2, 1, "1g");
    // The cluster's JVMs start while this one writes the inputs and scores them locally.
    logprobsInput = tmp.resolve("logprobs").toString();
    logitsInput = tmp.resolve("logits").toString();
    SparkSession spark = LocalSpark.start();
    try {
      DemoCorpusWriter.write(
          spark, new DemoCorpusWriter.Shape(7, 8, 64, 40), 800, 4, logprobsInput);
      // Enough logits for each scoring task to run for a while: the window to kill an executor in.
      DemoLogitsWriter.writeLogits(
          spark, new DemoLogitsWriter.Shape(11, 16, 96, 40, 9), 64, 4, logitsInput);
      localLogprobs = scoreLocally(spark, logprobsInput, tmp.resolve("local-logprobs"));
      localLogits = scoreLocally(spark, logitsInput, tmp.resolve("local-logits"));
    } finally {
      spark.stop();
    }
    cluster.awaitWorkers();
  }

  @AfterAll
  static void stopTheCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void clientModeWritesTheLocalTablesAndTheExecutorsRunTheVectorKernel() throws Exception {
    Path out = tmp.resolve("client-mode");
    List<String> args = submitArgs("client");
    args.addAll(List.of("--conf", "spark.driver.host=127.0.0.1"));
    args.addAll(List.of("--class", SoftMetrics.class.getName(), jobJar()));
    args.addAll(
        List.of("score", "--input", logitsInput, "--output", out.toString(), "--run-id", "client"));

    SparkSubmitRun run = submit("client-mode", args);

    assertThat(run.exitCode()).as("exit status; stderr:%n%s", run.stderr()).isZero();
    assertThat(run.stdout()).contains("\"run_id\":\"client\"", "\"status\":\"succeeded\"");
    List<Row> runs = new ArrayList<>();
    assertSameBits(read(out, runs), localLogits);
    assertThat(runs).singleElement().satisfies(r -> assertRanOnTheCluster(r, "logits"));
    assertThat(executorLogs(run.appId()))
        .allSatisfy(log -> assertThat(log).contains(VECTOR_LOADED))
        .anySatisfy(log -> assertThat(log).contains("softmetrics: logits kernel: vector"))
        .noneSatisfy(log -> assertThat(log).contains("softmetrics: logits kernel: scalar"));
  }

  @Test
  void clusterModeRunsTheDriverOnAWorkerWithItsConfigurationFromAUri() throws Exception {
    Path out = tmp.resolve("cluster-mode");
    Path conf = tmp.resolve("nightly.conf");
    Files.writeString(conf, "softmetrics { read.batch-rows = 1000, summary.max-rows = 4 }\n");
    List<String> args = submitArgs("cluster");
    args.addAll(List.of("--conf", "spark.standalone.submit.waitAppCompletion=true"));
    args.addAll(List.of("--class", SoftMetrics.class.getName(), jobJar()));
    args.addAll(
        List.of(
            "score",
            "--input",
            logprobsInput,
            "--output",
            out.toString(),
            "--run-id",
            "cluster",
            "--conf",
            conf.toUri().toString()));

    SparkSubmitRun run = submit("cluster-mode", args);

    // spark-submit exits 0 whatever the driver did; the driver's state and output say more.
    assertThat(run.exitCode()).as("exit status; stderr:%n%s", run.stderr()).isZero();
    assertThat(run.stderr()).containsPattern("State of driver driver-\\S+ is FINISHED");
    Path driver = driverDir();
    assertThat(driver.resolve("stdout"))
        .as("stdout of the driver on its Worker")
        .content(StandardCharsets.UTF_8)
        .contains("\"run_id\":\"cluster\"", "\"status\":\"succeeded\"")
        .contains("more rows in corpus/");
    String driverLog = Files.readString(driver.resolve("stderr"), StandardCharsets.UTF_8);
    assertThat(executorLogs(SparkSubmitRun.appId(driverLog)))
        .allSatisfy(log -> assertThat(log).contains(VECTOR_LOADED));
    List<Row> runs = new ArrayList<>();
    assertSameBits(read(out, runs), localLogprobs);
    assertThat(runs)
        .singleElement()
        .satisfies(
            r -> {
              assertRanOnTheCluster(r, "logprobs");
              assertThat(r.<String>getAs("configuration")).contains("\"batch-rows\":1000");
            });
  }

  @Test
  void anExecutorKilledMidTaskChangesNoTable() throws Exception {
    Path out = tmp.resolve("executor-lost");
    JobConfig config = JobConfig.fromLocation(null, List.of("spark.executor.memory=512m"));
    ExecutorKiller killer;
    SparkSession spark = Sessions.open(cluster.masterUrl(), config);
    try {
      killer = new ExecutorKiller(cluster, spark.sparkContext().applicationId(), SCORING_JOB);
      spark.sparkContext().addSparkListener(killer);
      RunResult result =
          ScoreCommand.runOn(
              spark, new ScoreRequest(List.of(logitsInput), out.toString(), "lost", config));
      assertThat(result.run().status()).isEqualTo("succeeded");
    } finally {
      spark.stop();
    }

    assertThat(killer.problems()).isEmpty();
    assertThat(killer.killedExecutor()).as("the executor killed").isNotNull();
    assertThat(killer.killedProcess().onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
    assertThat(killer.removedExecutors()).contains(killer.killedExecutor());
    assertThat(killer.lostTasks())
        .as("tasks lost in flight (the other tasks took %s ms)", killer.finishedMillis())
        .isNotEmpty();
    System.out.printf(
        "%s: killed executor %s; tasks lost %s; the others took %s ms%n",
        getClass().getSimpleName(),
        killer.killedExecutor(),
        killer.lostTasks(),
        killer.finishedMillis());
    List<Row> runs = new ArrayList<>();
    assertSameBits(read(out, runs), localLogits);
    assertThat(runs).singleElement().satisfies(r -> assertRanOnTheCluster(r, "logits"));
  }

  private static Map<String, TableBits> scoreLocally(SparkSession spark, String input, Path out) {
    ScoreJob.run(
        spark, new ScoreRequest(List.of(input), out.toString(), "local", JobConfig.defaults()));
    Map<String, TableBits> tables = tables(spark, out);
    // Both inputs hold bad rows, so that rejected/ is compared too.
    tables.forEach(
        (name, table) -> assertThat(table.rows()).as("local %s of %s", name, input).isNotEmpty());
    return tables;
  }

  private static Map<String, TableBits> tables(SparkSession spark, Path out) {
    Map<String, TableBits> tables = new TreeMap<>();
    for (String table : TABLES) {
      tables.put(table, TableBits.read(spark, out.resolve(table).toString()));
    }
    return tables;
  }

  /** The tables under {@code out}, and its {@code runs/} rows into {@code runs}. */
  private static Map<String, TableBits> read(Path out, List<Row> runs) {
    SparkSession spark = LocalSpark.start();
    try {
      runs.addAll(spark.read().parquet(out.resolve("runs").toString()).collectAsList());
      return tables(spark, out);
    } finally {
      spark.stop();
    }
  }

  private static void assertSameBits(
      Map<String, TableBits> actual, Map<String, TableBits> expected) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach((name, table) -> actual.get(name).assertSameBits(table, name));
  }

  private static void assertRanOnTheCluster(Row run, String format) {
    assertThat(run.<String>getAs("master")).isEqualTo(cluster.masterUrl());
    assertThat(run.<String>getAs("format")).isEqualTo(format);
    assertThat(run.<Boolean>getAs("accounting_ok")).isTrue();
  }

  private static SparkSubmitRun submit(String name, List<String> args) throws Exception {
    return SparkSubmitRun.run(
        tmp, name, sparkClasspath, cluster.environment(), args, SUBMIT_TIMEOUT_SECONDS);
  }

  /**
   * spark-submit's options for this cluster. Nothing asks for the Vector API module: Spark adds it
   * to the JVMs it starts, which the tests check in their logs.
   */
  private static List<String> submitArgs(String deployMode) {
    return new ArrayList<>(
        List.of(
            "--master",
            cluster.masterUrl(),
            "--deploy-mode",
            deployMode,
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.driver.memory=512m",
            "--conf",
            "spark.executor.memory=512m"));
  }

  private static String jobJar() {
    return Path.of("target", "softmetrics-job.jar").toAbsolutePath().toString();
  }

  private static List<String> executorLogs(String appId) throws IOException {
    List<String> logs = new ArrayList<>();
    for (Path log : cluster.executorLogs(appId)) {
      logs.add(Files.readString(log, StandardCharsets.UTF_8));
    }
    assertThat(logs).as("executor logs of %s", appId).isNotEmpty();
    return logs;
  }

  /** The work folder of the one cluster-mode driver, on whichever Worker ran it. */
  private static Path driverDir() throws IOException {
    List<Path> drivers = new ArrayList<>();
    for (Path work : cluster.workDirs()) {
      try (Stream<Path> entries = Files.list(work)) {
        entries.filter(e -> e.getFileName().toString().startsWith("driver-")).forEach(drivers::add);
      }
    }
    assertThat(drivers).as("cluster-mode drivers").hasSize(1);
    return drivers.get(0);
  }
}
