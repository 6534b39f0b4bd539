package dev.softmetrics.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The speed issue's targets as whole processes: {@code bin/softmetrics score} against a fresh JVM
 * running DuckDB's GROUP BY ({@link DuckDbCorpus#basic}) on the same shards of {@link
 * DuckDbShards}, at a few and at all shards, alternated, in one run. Prints each process's median
 * wall time and peak RSS, the marginal cost from the small to the large input of both, and PASS or
 * FAIL against the targets: the job's marginal cost at most DuckDB's (ratio &lt;= 1.0) and the
 * whole large run within 2.5x of DuckDB's.
 *
 * <p>Options: {@code --rounds N} (default 3), {@code --small N} and {@code --large N} shards
 * (default 2 and 8), {@code --rows N} per shard (default 120,000), {@code --work DIR} (default
 * bench/work), {@code --before DIR}: another checkout (built) whose {@code bin/softmetrics} is
 * timed alongside, to measure a change before and after in the same run; {@code --spark-scan}: a
 * fresh JVM's plain Spark pass over the same shards ({@link SparkScanProcess}) timed alongside, the
 * floor of any Spark program's whole process and marginal cost here; {@code --opts NAME=OPTIONS}
 * (repeatable): {@code bin/softmetrics} with {@code JAVA_OPTS=OPTIONS} timed alongside, to measure
 * a JVM option or a measurement switch against the defaults in the same run. Peak RSS comes from
 * {@code /usr/bin/time -f %M} when it exists.
 */
final class ShardsVsDuckDb {
  private ShardsVsDuckDb() {}

  static final double MARGINAL_TARGET = 1.0;
  static final double WHOLE_TARGET = 2.5;

  /** One timed process: wall seconds and peak resident set in MiB (-1 when unknown). */
  private record Sample(double seconds, double rssMib) {}

  public static void main(String[] args) throws IOException, SQLException {
    int rounds = 3;
    int small = 2;
    int large = 8;
    int rows = 120_000;
    String work = "bench/work";
    String before = null;
    boolean sparkScan = false;
    Map<String, String> variants = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--small" -> small = Integer.parseInt(args[++i]);
        case "--large" -> large = Integer.parseInt(args[++i]);
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--work" -> work = args[++i];
        case "--before" -> before = args[++i];
        case "--spark-scan" -> sparkScan = true;
        case "--opts" -> {
          String[] variant = args[++i].split("=", 2);
          if (variant.length != 2 || variant[0].isBlank()) {
            throw new IllegalArgumentException(
                "Invalid --opts: " + args[i] + " (must be NAME=OPTIONS)");
          }
          variants.put(variant[0], variant[1]);
        }
        default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
      }
    }
    Path shards = DuckDbShards.write(Path.of(work, "shards-" + rows).toAbsolutePath(), large, rows);
    Path out = Path.of(work, "out-shards").toAbsolutePath();
    Map<String, List<String>> commands = new LinkedHashMap<>();
    for (int n : new int[] {small, large}) {
      String input = files(shards, n);
      commands.put("softmetrics " + n, score("bin/softmetrics", input, out));
      commands.put("duckdb " + n, duck(input));
      if (before != null) {
        commands.put("before " + n, score(before + "/bin/softmetrics", input, out));
      }
      if (sparkScan) {
        commands.put("spark scan " + n, java(SparkScanProcess.class, input));
      }
      for (Map.Entry<String, String> v : variants.entrySet()) {
        List<String> command = new ArrayList<>(List.of("env", "JAVA_OPTS=" + v.getValue()));
        command.addAll(score("bin/softmetrics", input, out));
        commands.put(v.getKey() + " " + n, command);
      }
    }
    // Untimed: a build, or the start-up archive a build calls for, is not part of a run.
    BenchSteps.deleteTree(out);
    time(score("bin/softmetrics", Path.of("conf/startup/logprobs.parquet").toString(), out));
    if (before != null) {
      BenchSteps.deleteTree(out);
      time(
          score(
              before + "/bin/softmetrics",
              Path.of("conf/startup/logprobs.parquet").toString(),
              out));
    }
    String budget = "";
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    commands.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      // Alternate the order from round to round, so no command always follows the same one.
      List<String> order = new ArrayList<>(commands.keySet());
      if (round % 2 == 1) {
        java.util.Collections.reverse(order);
      }
      for (String name : order) {
        BenchSteps.deleteTree(out);
        Sample s = time(commands.get(name));
        samples.get(name).add(s);
        if (name.equals("softmetrics " + large)) {
          budget = budget(out, s.seconds);
        }
        System.out.printf(
            Locale.ROOT, "round %d: %-16s %7.2f s  %7.0f MiB%n", round, name, s.seconds, s.rssMib);
      }
    }
    report(samples, small, large);
    if (sparkScan) {
      double scanSmall = seconds(samples, "spark scan " + small);
      double scanLarge = seconds(samples, "spark scan " + large);
      double duckSmall = seconds(samples, "duckdb " + small);
      double duckLarge = seconds(samples, "duckdb " + large);
      System.out.printf(
          Locale.ROOT,
          "plain Spark scan, the floor of a Spark pass: marginal %.2f s (ratio to DuckDB's %.2f),"
              + " whole process at %d shards %.2fx DuckDB's%n",
          scanLarge - scanSmall,
          (scanLarge - scanSmall) / (duckLarge - duckSmall),
          large,
          scanLarge / duckLarge);
    }
    System.out.println("where the last " + large + "-shard process's time went: " + budget);
    for (String name : variants.keySet()) {
      System.out.printf(
          Locale.ROOT,
          "%s / softmetrics at %d shards: %.2f (medians %.2f s and %.2f s)%n",
          name,
          large,
          seconds(samples, name + " " + large) / seconds(samples, "softmetrics " + large),
          seconds(samples, name + " " + large),
          seconds(samples, "softmetrics " + large));
    }
    if (before != null) {
      System.out.printf(
          Locale.ROOT,
          "before -> now at %d shards: %.2f s -> %.2f s%n",
          large,
          seconds(samples, "before " + large),
          seconds(samples, "softmetrics " + large));
    }
  }

  /** The median wall time of the command {@code name}. */
  private static double seconds(Map<String, List<Sample>> samples, String name) {
    return BenchSteps.median(samples.get(name).stream().map(Sample::seconds).toList());
  }

  private static void report(Map<String, List<Sample>> samples, int small, int large) {
    System.out.println();
    System.out.println("process           median s   median peak RSS MiB");
    Map<String, Double> median = new LinkedHashMap<>();
    samples.forEach(
        (name, list) -> {
          double s = BenchSteps.median(list.stream().map(Sample::seconds).toList());
          double rss = BenchSteps.median(list.stream().map(Sample::rssMib).toList());
          median.put(name, s);
          System.out.printf(Locale.ROOT, "%-16s %9.2f %12.0f%n", name, s, rss);
        });
    double oursMarginal = median.get("softmetrics " + large) - median.get("softmetrics " + small);
    double theirsMarginal = median.get("duckdb " + large) - median.get("duckdb " + small);
    double marginal = oursMarginal / theirsMarginal;
    double whole = median.get("softmetrics " + large) / median.get("duckdb " + large);
    System.out.printf(
        Locale.ROOT,
        "marginal cost %d -> %d shards: softmetrics %.2f s, DuckDB %.2f s, ratio %.2f (target <="
            + " %.1f): %s%n",
        small,
        large,
        oursMarginal,
        theirsMarginal,
        marginal,
        MARGINAL_TARGET,
        marginal <= MARGINAL_TARGET ? "PASS" : "FAIL");
    System.out.printf(
        Locale.ROOT,
        "whole process at %d shards: softmetrics / DuckDB = %.2f (target <= %.1f): %s%n",
        large,
        whole,
        WHOLE_TARGET,
        whole <= WHOLE_TARGET ? "PASS" : "FAIL");
  }

  /**
   * The run's stages from its {@code runs/} row ({@code stage_seconds}), and the rest of the
   * process: JVM start, Spark session and settings before the run's clock starts, and the summary
   * and shutdown after it.
   */
  private static String budget(Path out, double process) {
    String runs = out.resolve("runs").toString().replace("'", "''");
    try (Connection duck = DuckDbCorpus.open(1);
        Statement st = duck.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT epoch(ended_at) - epoch(started_at), CAST(stage_seconds AS VARCHAR)"
                    + " FROM read_parquet('"
                    + runs
                    + "/**/*.parquet')")) {
      rs.next();
      double run = rs.getDouble(1);
      return String.format(
          Locale.ROOT,
          "process %.1f s = outside the run (JVM, Spark session, settings, summary, exit) %.1f s"
              + " + the run %.1f s %s",
          process,
          process - run,
          run,
          rs.getString(2));
    } catch (SQLException e) {
      return "(no runs/ row: " + e.getMessage() + ")";
    }
  }

  /** The first {@code n} shards, comma-separated. */
  private static String files(Path shards, int n) {
    List<String> files = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      files.add(shards.resolve(String.format(Locale.ROOT, "shard-%02d.parquet", k)).toString());
    }
    return String.join(",", files);
  }

  private static List<String> score(String command, String input, Path out) {
    return List.of(command, "score", "--input", input, "--output", out.toString(), "--run-id", "b");
  }

  /** A fresh JVM with this one's options (the job's, from bench/run-main) running {@code main}. */
  private static List<String> java(Class<?> main, String input) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            main.getName(),
            input,
            Integer.toString(Runtime.getRuntime().availableProcessors())));
    return command;
  }

  private static List<String> duck(String input) {
    String java = ProcessHandle.current().info().command().orElse("java");
    return List.of(
        java,
        "-cp",
        System.getProperty("java.class.path"),
        DuckDbCorpus.class.getName(),
        input,
        Integer.toString(Runtime.getRuntime().availableProcessors()),
        "basic");
  }

  /** Runs a command to completion (exit 0 or an exception), under /usr/bin/time when present. */
  private static Sample time(List<String> command) {
    Path gnuTime = Path.of("/usr/bin/time");
    try {
      Path rss = Files.createTempFile("rss", ".txt");
      List<String> full = new ArrayList<>();
      if (Files.isExecutable(gnuTime)) {
        full.addAll(List.of(gnuTime.toString(), "-f", "%M", "-o", rss.toString()));
      }
      full.addAll(command);
      long t0 = System.nanoTime();
      Process p =
          new ProcessBuilder(full)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      int rc = p.waitFor();
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (rc != 0) {
        throw new IllegalStateException("Exit code " + rc + " from " + String.join(" ", command));
      }
      String kib = Files.readString(rss).trim();
      Files.delete(rss);
      return new Sample(seconds, kib.isEmpty() ? -1 : Long.parseLong(kib) / 1024.0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
