package dev.softmetrics.bench;

import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.SparkSession;

/**
 * The job against DuckDB on the same log-prob shards and the same cores, in one run: DuckDB (over
 * JDBC, in this JVM, {@code SET threads} to the core count) reads the log-prob column bare and
 * computes the corpus table in one query ({@link DuckDbCorpus}), with and without word counts; the
 * job scores the shards with its default configuration and without bootstrap intervals; a bare
 * Spark scan of the log-prob column is the baseline, as in {@link ScoreVsScan}. Steps alternate, so
 * that all see the same machine state; the warm medians and their ratios are printed, then the
 * whole-process wall times of {@code bin/softmetrics score} and of a fresh JVM running the DuckDB
 * query. Before it exits the bench checks that the two engines' corpus tables agree.
 *
 * <p>Arguments: {@code --mb N} (log-prob megabytes, default 400; the corpus of {@link ScoreVsScan},
 * shared under --work), {@code --iterations N} (default 5, the first cold), {@code --processes N}
 * (whole-process runs of each, default 3; 0 skips them), {@code --work DIR} (default bench/work).
 */
public final class ScoreVsDuckDb {
  private ScoreVsDuckDb() {}

  public static void main(String[] args) throws SQLException {
    int mb = 400;
    int iterations = 5;
    int processes = 3;
    File work = new File("bench/work");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mb" -> mb = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--processes" -> processes = Integer.parseInt(args[++i]);
        case "--work" -> work = new File(args[++i]);
        default -> throw new IllegalArgumentException("Invalid argument: " + args[i]);
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    JobConfig config = JobConfig.load(null, List.of());
    JobConfig noBootstrap = JobConfig.load(null, List.of("bootstrap.replicates=0"));
    SparkSession.Builder builder = SparkSession.builder().master("local[*]").appName("bench");
    dev.softmetrics.job.io.NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
    config.sparkConf().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    AtomicReference<List<DuckDbCorpus.Group>> duckGroups = new AtomicReference<>();
    AtomicReference<List<CorpusRow>> ourGroups = new AtomicReference<>();
    File corpus;
    String input;
    try (Connection duck = DuckDbCorpus.open(cores)) {
      corpus = BenchSteps.logprobCorpus(spark, work, mb);
      input = corpus.getAbsolutePath();
      String out = new File(work, "out-duckdb").getAbsolutePath();
      BenchSteps.deleteTree(Path.of(out));
      ShardScan.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
      List<BenchSteps.Step> steps =
          List.of(
              BenchSteps.bareScan(spark, input),
              new BenchSteps.Step(
                  "DuckDB: bare read, sum(len(token_logprobs))",
                  () -> sql(() -> DuckDbCorpus.bareRead(duck, input))),
              new BenchSteps.Step(
                  "DuckDB: corpus table without words",
                  () -> sql(() -> DuckDbCorpus.corpus(duck, input, false).size())),
              new BenchSteps.Step(
                  "DuckDB: corpus table with words (regexp split)",
                  () ->
                      sql(
                          () -> {
                            duckGroups.set(DuckDbCorpus.corpus(duck, input, true));
                            return duckGroups.get().size();
                          })),
              new BenchSteps.Step(
                  "softmetrics: score, the whole run",
                  () -> {
                    var result =
                        ScoreJob.run(spark, new ScoreRequest(List.of(input), out, "bench", config));
                    ourGroups.set(result.corpus());
                    return result.run().sequencesScored();
                  }),
              new BenchSteps.Step(
                  "softmetrics: score, bootstrap.replicates = 0",
                  () ->
                      ScoreJob.run(
                              spark, new ScoreRequest(List.of(input), out, "bench", noBootstrap))
                          .run()
                          .sequencesScored()));
      List<Double> m = BenchSteps.alternate(steps, iterations);
      long tokens = duckGroups.get().stream().mapToLong(DuckDbCorpus.Group::tokens).sum();
      System.out.printf(
          Locale.ROOT,
          "score / DuckDB's corpus table with words: %.2f (without bootstrap %.2f); / DuckDB's"
              + " without words: %.2f (%.2f); DuckDB's bare read / bare Spark scan: %.2f%n",
          m.get(4) / m.get(3),
          m.get(5) / m.get(3),
          m.get(4) / m.get(2),
          m.get(5) / m.get(2),
          m.get(1) / m.get(0));
      System.out.printf(
          Locale.ROOT,
          "tokens per second: softmetrics %.1f M (without bootstrap %.1f M), DuckDB %.1f M (without"
              + " words %.1f M)%n",
          tokens / m.get(4) / 1e6,
          tokens / m.get(5) / 1e6,
          tokens / m.get(3) / 1e6,
          tokens / m.get(2) / 1e6);
      check(duckGroups.get(), ourGroups.get());
    } finally {
      spark.stop();
    }
    if (processes > 0) {
      wholeProcesses(processes, input, new File(work, "out-process"), cores);
    }
  }

  /** Fails the bench unless both engines give the same counts, and NLL sums to float accuracy. */
  private static void check(List<DuckDbCorpus.Group> duck, List<CorpusRow> ours) {
    Map<String, CorpusRow> byKey = new HashMap<>();
    for (CorpusRow r : ours) {
      if (!r.isRollup()) {
        byKey.put(r.model() + "/" + r.tokenizer() + "/" + r.domain(), r);
      }
    }
    double worst = 0;
    for (DuckDbCorpus.Group g : duck) {
      CorpusRow r = byKey.remove(g.model() + "/" + g.tokenizer() + "/" + g.domain());
      if (r == null
          || r.sequences() != g.sequences()
          || r.tokens() != g.tokens()
          || r.bytes() != g.bytes()
          || r.chars() != g.chars()
          || r.words() != g.words()) {
        throw new IllegalStateException("The engines disagree on " + g + ": softmetrics has " + r);
      }
      worst = Math.max(worst, Math.abs(r.nllSum() - g.nllSum()) / Math.abs(r.nllSum()));
    }
    if (!byKey.isEmpty() || worst > 1e-6) {
      throw new IllegalStateException(
          "The engines disagree: groups only softmetrics has "
              + byKey.keySet()
              + ", NLL off by "
              + worst);
    }
    System.out.printf(
        Locale.ROOT,
        "check: DuckDB and softmetrics agree on %d groups (counts equal, NLL sums within %.1e)%n",
        duck.size(),
        worst);
  }

  /** Fresh processes, alternating: bin/softmetrics score, and a JVM running the DuckDB query. */
  private static void wholeProcesses(int runs, String input, File out, int cores) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> score =
        List.of(
            "bin/softmetrics",
            "score",
            "--input",
            input,
            "--output",
            out.getAbsolutePath(),
            "--run-id",
            "process");
    List<String> duck =
        List.of(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            DuckDbCorpus.class.getName(),
            input,
            Integer.toString(cores),
            "words");
    List<Double> ours = new ArrayList<>();
    List<Double> theirs = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      BenchSteps.deleteTree(out.toPath());
      ours.add(time(score));
      theirs.add(time(duck));
      System.out.printf(
          Locale.ROOT,
          "process %d: bin/softmetrics score %.2f s, DuckDB query in a fresh JVM %.2f s%n",
          i,
          ours.get(i),
          theirs.get(i));
    }
    double a = BenchSteps.median(ours);
    double b = BenchSteps.median(theirs);
    System.out.printf(
        Locale.ROOT,
        "whole process, median of %d: bin/softmetrics score %.2f s, DuckDB %.2f s, ratio %.2f%n",
        runs,
        a,
        b,
        a / b);
  }

  private static double time(List<String> command) {
    long t0 = System.nanoTime();
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IllegalStateException("Exit code " + rc + " from " + String.join(" ", command));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** A JDBC call as a step's count. */
  private interface SqlCall {
    long call() throws SQLException;
  }

  private static long sql(SqlCall call) {
    try {
      return call.call();
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
