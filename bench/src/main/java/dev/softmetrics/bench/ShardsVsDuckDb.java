package dev.softmetrics.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
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
 * bench/work). {@code JAVA_HOME}/{@code SOFTMETRICS_JAVA} choose the job's JDK as they do for
 * {@code bin/softmetrics}. Peak RSS comes from {@code /usr/bin/time -f %M} when it exists.
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
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--small" -> small = Integer.parseInt(args[++i]);
        case "--large" -> large = Integer.parseInt(args[++i]);
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--work" -> work = args[++i];
        default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
      }
    }
    Path shards = DuckDbShards.write(Path.of(work, "shards-" + rows).toAbsolutePath(), large, rows);
    Path out = Path.of(work, "out-shards").toAbsolutePath();
    Map<String, List<String>> commands = new LinkedHashMap<>();
    for (int n : new int[] {small, large}) {
      String input = files(shards, n);
      commands.put("softmetrics " + n, score(input, out));
      commands.put("duckdb " + n, duck(input));
    }
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
        System.out.printf(
            Locale.ROOT, "round %d: %-16s %7.2f s  %7.0f MiB%n", round, name, s.seconds, s.rssMib);
      }
    }
    report(samples, small, large);
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

  /** The first {@code n} shards, comma-separated. */
  private static String files(Path shards, int n) {
    List<String> files = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      files.add(shards.resolve(String.format(Locale.ROOT, "shard-%02d.parquet", k)).toString());
    }
    return String.join(",", files);
  }

  private static List<String> score(String input, Path out) {
    return List.of(
        "bin/softmetrics", "score", "--input", input, "--output", out.toString(), "--run-id", "b");
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
