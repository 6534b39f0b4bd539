package dev.softmetrics.bench;

import dev.softmetrics.job.analysis.SequenceBootstrap;
import dev.softmetrics.job.analysis.StoredSequences;
import dev.softmetrics.job.config.BootstrapConfig;
import dev.softmetrics.job.config.JobConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * The wall time of the analysis pass alone ({@link SequenceBootstrap}: corpus intervals and
 * comparisons) over a written {@code sequences/}, for several replicate counts, alternated in one
 * Spark session so that all see the same machine state. Prints each iteration and the warm medians
 * of wall time and of the JVM's CPU time (which other processes on a busy machine disturb less).
 *
 * <p>Arguments: {@code --output DIR} (an output folder, default bench/work/out, which {@code
 * bench/score-vs-scan.sh} leaves behind), {@code --replicates 0,200,1000}, {@code --iterations N}
 * (default 5; the first is the cold run, reported apart).
 */
public final class BootstrapPass {
  private BootstrapPass() {}

  public static void main(String[] args) {
    String output = "bench/work/out";
    int[] replicates = {0, 200, 1000};
    int iterations = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--output" -> output = args[++i];
        case "--replicates" ->
            replicates = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Invalid argument: " + args[i]);
      }
    }
    SparkSession.Builder builder = SparkSession.builder().master("local[*]").appName("bench");
    dev.softmetrics.job.io.NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
    JobConfig.defaults().sparkConf().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      long rows = StoredSequences.all(spark, output).count();
      System.out.printf(Locale.ROOT, "sequences/ of %s: %,d rows%n", output, rows);
      List<List<Double>> seconds = new ArrayList<>();
      List<List<Double>> cpu = new ArrayList<>();
      for (int r = 0; r < replicates.length; r++) {
        seconds.add(new ArrayList<>());
        cpu.add(new ArrayList<>());
      }
      var os =
          (com.sun.management.OperatingSystemMXBean)
              java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      for (int it = 0; it < iterations; it++) {
        StringBuilder line =
            new StringBuilder(it == 0 ? "iteration 0 (cold):" : "iteration " + it + ":");
        for (int r = 0; r < replicates.length; r++) {
          long start = System.nanoTime();
          long cpuStart = os.getProcessCpuTime();
          SequenceBootstrap.Result result =
              SequenceBootstrap.compute(
                  StoredSequences.all(spark, output), new BootstrapConfig(replicates[r], 1, 0.95));
          double s = (System.nanoTime() - start) / 1e9;
          double c = (os.getProcessCpuTime() - cpuStart) / 1e9;
          if (it > 0) {
            seconds.get(r).add(s);
            cpu.get(r).add(c);
          }
          line.append(
              String.format(
                  Locale.ROOT,
                  "  R=%d %.2f s, cpu %.2f s (%d intervals, %d comparisons)",
                  replicates[r],
                  s,
                  c,
                  result.intervals().size(),
                  result.comparisons().size()));
        }
        System.out.println(line);
      }
      System.out.println("warm medians:");
      for (int r = 0; r < replicates.length; r++) {
        System.out.printf(
            Locale.ROOT,
            "  replicates %5d   wall %.2f s   cpu %.2f s%n",
            replicates[r],
            median(seconds.get(r)),
            median(cpu.get(r)));
      }
    } finally {
      spark.stop();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}
