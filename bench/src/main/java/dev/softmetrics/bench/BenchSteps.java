package dev.softmetrics.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import dev.softmetrics.corpora.DemoCorpusWriter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Timed steps run in turns, so that a job and its baselines see the same machine state: each
 * iteration runs every step once, the first iteration is the cold one, and the warm medians are
 * reported with their ratio to the first step.
 */
final class BenchSteps {
  private BenchSteps() {}

  /** One timed step; returns a count so that the work cannot be skipped. */
  record Step(String name, LongSupplier run) {}

  /**
   * Runs {@code iterations} rounds of the steps, prints each round and the warm medians, and
   * returns the warm medians in seconds, in the order of the steps.
   */
  static List<Double> alternate(List<Step> steps, int iterations) {
    return alternate(steps, iterations, 1);
  }

  /**
   * Runs the steps in turn, {@code iterations} times; the first {@code warmup} iterations (JIT
   * compilation, first reads) are printed but not counted. Prints and returns each step's median
   * over the counted iterations, and prints each step's median of its per-iteration ratio to the
   * first step (neighbouring runs share the machine's state of the moment, so that ratio is the
   * steadier figure on a noisy machine).
   */
  static List<Double> alternate(List<Step> steps, int iterations, int warmup) {
    if (warmup < 1 || iterations < warmup + 1) {
      throw new IllegalArgumentException(
          "Invalid --iterations "
              + iterations
              + " with --warmup "
              + warmup
              + " (need warmup >= 1 and iterations > warmup)");
    }
    List<List<Double>> warm = new ArrayList<>();
    List<List<Double>> ratios = new ArrayList<>();
    for (int s = 0; s < steps.size(); s++) {
      warm.add(new ArrayList<>());
      ratios.add(new ArrayList<>());
    }
    for (int i = 0; i < iterations; i++) {
      StringBuilder line =
          new StringBuilder(
              "iteration " + i + (i == 0 ? " (cold):" : i < warmup ? " (warm-up):" : ":"));
      double first = 0;
      for (int s = 0; s < steps.size(); s++) {
        long t0 = System.nanoTime();
        long value = steps.get(s).run().getAsLong();
        double seconds = (System.nanoTime() - t0) / 1e9;
        line.append(String.format(Locale.ROOT, " %.2f s (%,d)", seconds, value));
        if (s == 0) {
          first = seconds;
        }
        if (i >= warmup) {
          warm.get(s).add(seconds);
          ratios.get(s).add(seconds / first);
        }
      }
      System.out.println(line);
    }
    List<Double> medians = new ArrayList<>();
    for (List<Double> w : warm) {
      medians.add(median(w));
    }
    System.out.printf(
        Locale.ROOT,
        "warm medians over %d iterations, each / %s, and the median of that ratio per"
            + " iteration:%n",
        iterations - warmup,
        steps.get(0).name());
    for (int s = 0; s < steps.size(); s++) {
      System.out.printf(
          Locale.ROOT,
          "  %-62s %6.2f s  %5.2f  %5.2f%n",
          steps.get(s).name(),
          medians.get(s),
          medians.get(s) / medians.get(0),
          median(ratios.get(s)));
    }
    return medians;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /**
   * Deletes {@code dir} and everything under it, if it exists: a run's output of an earlier bench.
   */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes of the regular files under {@code dir}. */
  static long du(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Log-probs per sequence in the log-prob benches' corpus. */
  static final int TOKENS = 512;

  /**
   * The log-prob benches' corpus of {@code mb} megabytes of float log-probs (sequences of {@link
   * #TOKENS}, with English, French and Japanese text, in {@code max(2, mb / 50)} files): generated
   * once under {@code work/corpus-<mb>mb} and reused; prints its size.
   */
  static File logprobCorpus(SparkSession spark, File work, int mb) {
    long sequences = (long) mb * 1_000_000 / (TOKENS * Float.BYTES) / 4 * 4;
    File corpus = new File(work, "corpus-" + mb + "mb");
    if (!new File(corpus, "_SUCCESS").isFile()) {
      int files = Math.max(2, mb / 50);
      System.out.printf(
          Locale.ROOT,
          "generating %,d sequences x %d log-probs in %d files under %s%n",
          sequences,
          TOKENS,
          files,
          corpus);
      DemoCorpusWriter.write(
          spark,
          new DemoCorpusWriter.Shape(7, TOKENS, TOKENS, 0),
          sequences,
          files,
          corpus.getAbsolutePath());
    }
    System.out.printf(
        Locale.ROOT,
        "corpus: %s, %,d sequences, %,d log-probs (%.0f MB as float32), %.0f MB of Parquet on disk,"
            + " %d cores%n",
        corpus,
        sequences,
        sequences * TOKENS,
        sequences * TOKENS * 4 / 1e6,
        du(corpus.toPath()) / 1e6,
        Runtime.getRuntime().availableProcessors());
    return corpus;
  }

  /**
   * The baseline of the log-prob benches: a bare Spark scan of the log-prob column, {@code
   * sum(size(token_logprobs))}.
   */
  static Step bareScan(SparkSession spark, String input) {
    return new Step(
        "bare Spark scan of token_logprobs",
        () ->
            spark
                .read()
                .parquet(input)
                .select(sum(size(col("token_logprobs"))))
                .first()
                .getLong(0));
  }
}
