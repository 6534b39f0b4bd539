package dev.softmetrics.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.demo.DemoCorpusWriter;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The job's scoring wall time next to a bare Spark scan of the same column ({@code
 * sum(size(token_logprobs))}), in one JVM and one Spark session, alternating the two so that both
 * see the same machine state. Prints each iteration, the warm medians and their ratio.
 *
 * <p>Arguments: {@code --mb N} (log-prob megabytes, default 400), {@code --work DIR} (corpus cache
 * and outputs, default bench/work), {@code --iterations N} (default 5; the first is the cold run,
 * reported apart).
 */
public final class ScoreVsScan {
  private ScoreVsScan() {}

  private static final int TOKENS = 512;

  public static void main(String[] args) throws IOException {
    int mb = 400;
    int iterations = 5;
    File work = new File("bench/work");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mb" -> mb = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--work" -> work = new File(args[++i]);
        default -> throw new IllegalArgumentException("Invalid argument: " + args[i]);
      }
    }
    if (iterations < 2) {
      throw new IllegalArgumentException("Invalid --iterations: " + iterations + " (must be >= 2)");
    }
    long sequences = (long) mb * 1_000_000 / (TOKENS * Float.BYTES) / 4 * 4;
    File corpus = new File(work, "corpus-" + mb + "mb");
    JobConfig config = JobConfig.defaults();
    SparkSession.Builder builder = SparkSession.builder().master("local[*]").appName("bench");
    config.sparkConf().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
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
      List<Double> scans = new ArrayList<>();
      List<Double> reads = new ArrayList<>();
      List<Double> scores = new ArrayList<>();
      for (int i = 0; i < iterations; i++) {
        long t0 = System.nanoTime();
        long tokens =
            spark
                .read()
                .parquet(corpus.getAbsolutePath())
                .select(sum(size(col("token_logprobs"))))
                .first()
                .getLong(0);
        double scan = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        spark
            .read()
            .parquet(corpus.getAbsolutePath())
            .select(
                sum(size(col("token_logprobs"))),
                sum(octet_length(col("text"))),
                count(col("sequence_id")),
                count(col("model")),
                count(col("tokenizer")),
                count(col("domain")))
            .first();
        double read = (System.nanoTime() - t0) / 1e9;
        String out = new File(work, "out").getAbsolutePath();
        t0 = System.nanoTime();
        ScoreJob.run(
            spark, new ScoreRequest(List.of(corpus.getAbsolutePath()), out, "bench-" + i, config));
        double score = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "iteration %d%s: bare scan %.2f s (%,d tokens), bare read of the job's columns %.2f s,"
                + " score %.2f s, ratio %.2f%n",
            i,
            i == 0 ? " (cold)" : "",
            scan,
            tokens,
            read,
            score,
            score / scan);
        if (i > 0) {
          scans.add(scan);
          reads.add(read);
          scores.add(score);
        }
      }
      double scan = median(scans);
      double read = median(reads);
      double score = median(scores);
      System.out.printf(
          Locale.ROOT,
          "warm median over %d iterations: bare scan of token_logprobs %.2f s, bare read of the job's"
              + " columns %.2f s, score %.2f s%n",
          scans.size(),
          scan,
          read,
          score);
      System.out.printf(
          Locale.ROOT,
          "ratio score / bare scan of token_logprobs: %.2f; score / bare read of the job's columns:"
              + " %.2f%n",
          score / scan,
          score / read);
    } finally {
      spark.stop();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static long du(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
