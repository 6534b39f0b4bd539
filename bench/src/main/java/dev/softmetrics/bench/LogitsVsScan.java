package dev.softmetrics.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.sum;

import dev.softmetrics.corpora.BlobDtype;
import dev.softmetrics.corpora.DemoLogitsWriter;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.io.InputCheck;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The job's wall time on logits shards next to a bare Spark scan of the same blob columns ({@code
 * sum(length(logits))}, and of {@code ref_logits} when present) and the job's own reader alone (its
 * scan's batches, with the blobs its tasks read from the pages under {@code read.logits-pages}), in
 * one JVM and Spark session, alternating the steps. Prints each iteration, the warm medians, their
 * ratios and the positions scored per second per core.
 *
 * <p>Arguments: {@code --mb N} (megabytes of model logits, default 1000), {@code --vocab V}
 * (default 32000), {@code --dtype bfloat16|float16|float32} (default bfloat16), {@code --ref} (also
 * write and score {@code ref_logits}), {@code --chunk N} (positions per row, default 64), {@code
 * --iterations N} (default 5), {@code --warmup N} (iterations not counted, default 1), {@code
 * --timeline} (when each Spark job of a scoring run starts and ends, and its tasks' times), {@code
 * --set key=value} (a job setting, as {@code bin/softmetrics score --set} takes it; repeatable),
 * {@code --work DIR} (default bench/work).
 */
public final class LogitsVsScan {
  private LogitsVsScan() {}

  /** Positions of a sequence: every sequence has the same length, split into chunk rows. */
  private static final int POSITIONS = 512;

  private static final StructType SCHEMA = DemoLogitsWriter.LOGITS_SCHEMA;

  /** What to generate: the corpus is cached under a name made of these. */
  private record Corpus(int mb, int vocab, BlobDtype dtype, boolean ref, int chunk)
      implements java.io.Serializable {
    String name() {
      return String.format(
          Locale.ROOT,
          "logits-%dmb-v%d-%s-c%d%s",
          mb,
          vocab,
          dtype.contractName(),
          chunk,
          ref ? "-ref" : "");
    }

    long positions() {
      long perPosition = (long) vocab * dtype.bytes();
      return Math.max(POSITIONS, mb * 1_000_000L / perPosition / POSITIONS * POSITIONS);
    }
  }

  public static void main(String[] args) {
    int mb = 1000;
    int vocab = 32_000;
    BlobDtype dtype = BlobDtype.BFLOAT16;
    boolean ref = false;
    int chunk = 64;
    int iterations = 5;
    int warmup = 1;
    boolean timeline = false;
    List<String> overrides = new ArrayList<>();
    File work = new File("bench/work");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mb" -> mb = Integer.parseInt(args[++i]);
        case "--vocab" -> vocab = Integer.parseInt(args[++i]);
        case "--dtype" -> dtype = BlobDtype.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--ref" -> ref = true;
        case "--chunk" -> chunk = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--timeline" -> timeline = true;
        case "--set" -> overrides.add(args[++i]);
        case "--work" -> work = new File(args[++i]);
        default -> throw new IllegalArgumentException("Invalid argument: " + args[i]);
      }
    }
    if (POSITIONS % chunk != 0) {
      throw new IllegalArgumentException(
          "Invalid --chunk: " + chunk + " (must divide " + POSITIONS + ")");
    }
    Corpus shape = new Corpus(mb, vocab, dtype, ref, chunk);
    File corpus = new File(work, shape.name());
    JobConfig config = JobConfig.load(null, overrides);
    SparkSession.Builder builder = SparkSession.builder().master("local[*]").appName("bench");
    dev.softmetrics.job.io.NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
    config.sparkConf().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      if (!new File(corpus, "_SUCCESS").isFile()) {
        System.out.printf(
            Locale.ROOT, "generating %,d positions under %s%n", shape.positions(), corpus);
        write(spark, shape, corpus.getAbsolutePath());
      }
      int cores = Runtime.getRuntime().availableProcessors();
      long positions = shape.positions();
      System.out.printf(
          Locale.ROOT,
          "corpus: %s, %,d positions x V = %,d in %s%s (%.0f MB of Parquet), %d-position chunks,"
              + " %d cores%n",
          corpus,
          positions,
          vocab,
          dtype.contractName(),
          ref ? " with ref_logits" : "",
          BenchSteps.du(corpus.toPath()) / 1e6,
          chunk,
          cores);
      String input = corpus.getAbsolutePath();
      String out = new File(work, "out-logits").getAbsolutePath();
      BenchSteps.deleteTree(java.nio.file.Path.of(out));
      ShardScan.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
      if (timeline) {
        spark.sparkContext().addSparkListener(new JobTimeline());
      }
      Column blobs =
          ref
              ? sum(length(col("logits")).plus(length(col("ref_logits"))))
              : sum(length(col("logits")));
      List<BenchSteps.Step> steps =
          List.of(
              new BenchSteps.Step(
                  "bare Spark scan of the blob column(s)",
                  () -> spark.read().parquet(input).select(blobs).first().getLong(0)),
              new BenchSteps.Step(
                  "the job's reader alone: its columnar batches, counted",
                  () ->
                      ScoreVsScan.readAll(
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
      List<Double> medians = BenchSteps.alternate(steps, iterations, warmup);
      double score = medians.get(2);
      System.out.printf(
          Locale.ROOT,
          "ratio score / bare scan: %.2f; score / the job's reader alone: %.2f;"
              + " %,.0f positions per second per core (%.2f ns per vocabulary element and core)%n",
          score / medians.get(0),
          score / medians.get(1),
          positions / score / cores,
          score * cores * 1e9 / positions / vocab);
    } finally {
      spark.stop();
    }
  }

  /** Writes the corpus: one file per 8 sequences or so, random logits around a target. */
  private static void write(SparkSession spark, Corpus shape, String dir) {
    long sequences = shape.positions() / POSITIONS;
    int files = (int) Math.max(2, Math.min(16, sequences / 4));
    List<Integer> shards = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      shards.add(f);
    }
    spark
        .createDataFrame(
            new JavaSparkContext(spark.sparkContext())
                .parallelize(shards, files)
                .mapPartitions(
                    ids -> {
                      List<Long> mine = new ArrayList<>();
                      ids.forEachRemaining(
                          f -> {
                            for (long s = f * sequences / files;
                                s < (f + 1) * sequences / files;
                                s++) {
                              mine.add(s);
                            }
                          });
                      return chunkRows(shape, mine.iterator());
                    }),
            SCHEMA)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(dir);
  }

  private static Iterator<Row> chunkRows(Corpus shape, Iterator<Long> sequences) {
    return new Iterator<>() {
      long sequence = -1;
      int first = POSITIONS;
      SplittableRandom random;

      @Override
      public boolean hasNext() {
        return first < POSITIONS || sequences.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        if (first == POSITIONS) {
          sequence = sequences.next();
          first = 0;
          random = new SplittableRandom(sequence);
        }
        int[] targets = new int[shape.chunk()];
        for (int t = 0; t < targets.length; t++) {
          targets[t] = random.nextInt(shape.vocab());
        }
        Row row =
            RowFactory.create(
                "seq-" + sequence,
                "bench-model",
                "bench-tok",
                "bench",
                first,
                targets,
                shape.vocab(),
                shape.dtype().contractName(),
                blob(shape, targets, random, 2.0f),
                shape.ref() ? blob(shape, targets, random, 1.0f) : null,
                first == 0 ? "x".repeat(POSITIONS * 4) : null);
        first += shape.chunk();
        return row;
      }
    };
  }

  /** Logits of a chunk: noise of spread 3, with the target raised by {@code lift}. */
  private static byte[] blob(Corpus shape, int[] targets, SplittableRandom random, float lift) {
    ByteBuffer out =
        ByteBuffer.allocate(targets.length * shape.vocab() * shape.dtype().bytes())
            .order(ByteOrder.LITTLE_ENDIAN);
    for (int target : targets) {
      for (int i = 0; i < shape.vocab(); i++) {
        float z = (float) ((random.nextDouble() + random.nextDouble() - 1) * 3);
        shape.dtype().put(out, i == target ? z + lift : z);
      }
    }
    return out.array();
  }
}
