package dev.softmetrics.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.io.BinaryColumnReader;
import dev.softmetrics.job.io.ColumnPages;
import dev.softmetrics.job.io.InputCheck;
import dev.softmetrics.job.io.ListColumnReader;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.File;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The job's scoring wall time, with each of its two Parquet readers, next to a bare Spark scan of
 * the log-prob column ({@code sum(size(token_logprobs))}) and bare reads of all the columns the job
 * reads (by Spark, and by Arrow's native reader), in one JVM and one Spark session, alternating the
 * steps so that all see the same machine state. Prints each iteration, the warm medians and their
 * ratios.
 *
 * <p>Arguments: {@code --mb N} (log-prob megabytes, default 400), {@code --work DIR} (corpus cache
 * and outputs, default bench/work), {@code --iterations N} (default 5; the first is the cold run,
 * reported apart), {@code --timeline} (print when each Spark job of a scoring run starts and ends),
 * {@code --set key=value} (a configuration override for the scoring runs, repeatable: e.g. {@code
 * --set bootstrap.replicates=0} measures a run without confidence intervals).
 */
public final class ScoreVsScan {
  private ScoreVsScan() {}

  /**
   * Reads every batch of {@code scan}, with the columns of each that the tasks read from the pages
   * (the log-prob lists, the binary logits); returns the number of batches.
   */
  static long readAll(ShardScan scan) {
    ColumnPages pages = scan.logprobPages();
    ShardScan.LogitsPages blobs = scan.logitsPages();
    ShardScan.ScanColumns columns = scan.columns();
    return scan.batches()
        .mapPartitions(
            (FlatMapFunction<Iterator<ColumnarBatch>, Long>)
                batches -> {
                  long count = 0;
                  try (RootAllocator allocator = new RootAllocator();
                      ListColumnReader reader = pages == null ? null : pages.openList();
                      BinaryColumnReader logits =
                          blobs.logits() == null ? null : blobs.logits().openBinary();
                      BinaryColumnReader refLogits =
                          blobs.refLogits() == null ? null : blobs.refLogits().openBinary()) {
                    while (batches.hasNext()) {
                      ColumnarBatch batch = batches.next();
                      for (BinaryColumnReader blob : new BinaryColumnReader[] {logits, refLogits}) {
                        if (blob != null) {
                          blob.read(
                                  batch.column(columns.filePath()),
                                  batch.column(columns.rowIndex()),
                                  batch.numRows(),
                                  blob.column(),
                                  allocator)
                              .close();
                        }
                      }
                      if (reader != null) {
                        reader
                            .read(
                                batch.column(columns.filePath()),
                                batch.column(columns.rowIndex()),
                                batch.numRows(),
                                "token_logprobs",
                                allocator)
                            .close();
                      }
                      count++;
                    }
                  }
                  return List.of(count).iterator();
                })
        .reduce(Long::sum);
  }

  public static void main(String[] args) {
    int mb = 400;
    int iterations = 5;
    boolean timeline = false;
    List<String> overrides = new ArrayList<>();
    File work = new File("bench/work");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mb" -> mb = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--work" -> work = new File(args[++i]);
        case "--timeline" -> timeline = true;
        case "--set" -> overrides.add(args[++i]);
        default -> throw new IllegalArgumentException("Invalid argument: " + args[i]);
      }
    }
    JobConfig config = JobConfig.load(null, overrides);
    SparkSession.Builder builder = SparkSession.builder().master("local[*]").appName("bench");
    dev.softmetrics.job.io.NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
    config.sparkConf().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      File corpus = BenchSteps.logprobCorpus(spark, work, mb);
      String input = corpus.getAbsolutePath();
      String out = new File(work, "out").getAbsolutePath();
      BenchSteps.deleteTree(java.nio.file.Path.of(out));
      ShardScan.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
      if (timeline) {
        spark.sparkContext().addSparkListener(new JobTimeline());
      }
      List<BenchSteps.Step> steps =
          List.of(
              BenchSteps.bareScan(spark, input),
              new BenchSteps.Step(
                  "bare Spark SQL read of the job's columns",
                  () ->
                      spark
                          .read()
                          .parquet(input)
                          .select(
                              sum(size(col("token_logprobs"))),
                              sum(octet_length(col("text"))),
                              count(col("sequence_id")),
                              count(col("model")),
                              count(col("tokenizer")),
                              count(col("domain")))
                          .first()
                          .getLong(0)),
              new BenchSteps.Step(
                  "the job's reader alone: its columnar batches, counted",
                  () ->
                      readAll(
                          ShardScan.open(
                              spark,
                              InputCheck.run(
                                  spark,
                                  List.of(input),
                                  config.columns(),
                                  config.format(),
                                  config.inputFormat(),
                                  config.skipCorruptFiles()),
                              config.columns(),
                              config.batchRows(),
                              config.logitsBatchRows(),
                              config.logprobPages(),
                              config.logitsPages()))),
              new BenchSteps.Step(
                  "score (the whole run)",
                  () -> {
                    JobTimeline.runStart = System.nanoTime();
                    try {
                      return ScoreJob.run(
                              spark, new ScoreRequest(List.of(input), out, "bench", config))
                          .run()
                          .sequencesScored();
                    } finally {
                      JobTimeline.end();
                    }
                  }));
      List<Double> medians = BenchSteps.alternate(steps, iterations);
      double score = medians.get(3);
      System.out.printf(
          Locale.ROOT,
          "ratio score / bare Spark scan of token_logprobs: %.2f; score / the job's reader alone:"
              + " %.2f%n",
          score / medians.get(0),
          score / medians.get(2));
    } finally {
      spark.stop();
    }
  }
}
