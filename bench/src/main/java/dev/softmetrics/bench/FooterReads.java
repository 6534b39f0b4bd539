package dev.softmetrics.bench;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.io.InputFiles;
import dev.softmetrics.job.io.InputListing;
import dev.softmetrics.job.output.SmallTables;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * What reading every input file's Parquet footer costs before a run, done the job's way (on the
 * driver, {@link InputFiles#describe}, 8 threads) and as a small Spark job (one task per core, each
 * reading its share of the footers), for 10 and 1000 small files on the local file system.
 * Alternates the two; prints each iteration and the warm medians.
 *
 * <p>Arguments: {@code --files N[,N...]} (default 10,1000), {@code --iterations N} (default 7; the
 * first is the cold run, reported apart), {@code --work DIR} (default bench/work).
 */
public final class FooterReads {
  private FooterReads() {}

  public static void main(String[] args) throws Exception {
    List<Integer> counts = List.of(10, 1000);
    int iterations = 7;
    File work = new File("bench/work");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--files" ->
            counts = List.of(args[++i].split(",")).stream().map(Integer::parseInt).toList();
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--work" -> work = new File(args[++i]);
        default -> throw new IllegalArgumentException("Invalid argument: " + args[i]);
      }
    }
    JobConfig config = JobConfig.defaults();
    SparkSession.Builder builder = SparkSession.builder().master("local[*]").appName("footers");
    dev.softmetrics.job.io.NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
    config.sparkConf().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      for (int n : counts) {
        List<String> files = corpus(spark, new File(work, "footers-" + n).toPath(), n);
        measure(spark, files, iterations);
      }
    } finally {
      spark.stop();
    }
  }

  /** The files' statuses as the job lists them (one status call per file, as before listing). */
  private static List<org.apache.hadoop.fs.FileStatus> statuses(
      List<String> files, Configuration hadoop) {
    return InputListing.list(files, hadoop).stream().map(InputListing.ListedFile::status).toList();
  }

  private static void measure(SparkSession spark, List<String> files, int iterations) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    var converter =
        new ParquetToSparkSchemaConverter(
            ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().conf());
    List<Double> driver = new ArrayList<>();
    List<Double> job = new ArrayList<>();
    for (int it = 0; it < iterations; it++) {
      long t0 = System.nanoTime();
      long rowsDriver =
          InputFiles.describe(statuses(files, hadoop), hadoop, converter).stream()
              .mapToLong(InputFiles.InputFile::rows)
              .sum();
      long t1 = System.nanoTime();
      long rowsJob = readInAJob(spark, files);
      long t2 = System.nanoTime();
      if (rowsDriver != rowsJob) {
        throw new IllegalStateException("rows differ: " + rowsDriver + " vs " + rowsJob);
      }
      System.out.printf(
          Locale.ROOT,
          "%5d files, iteration %d%s: driver %.1f ms, Spark job %.1f ms (%d rows)%n",
          files.size(),
          it,
          it == 0 ? " (cold)" : "",
          (t1 - t0) / 1e6,
          (t2 - t1) / 1e6,
          rowsDriver);
      if (it > 0) {
        driver.add((t1 - t0) / 1e6);
        job.add((t2 - t1) / 1e6);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%5d files, warm medians: driver %.1f ms, Spark job %.1f ms%n",
        files.size(),
        median(driver),
        median(job));
  }

  /** The footers' row counts, read by one task per core, the way the driver reads them. */
  private static long readInAJob(SparkSession spark, List<String> files) {
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    var conf = context.broadcast(new SerializableConfiguration(context.hadoopConfiguration()));
    int slices = Math.min(files.size(), context.defaultParallelism());
    return context
        .parallelize(files, slices)
        .mapPartitions(
            part -> {
              Configuration c = conf.value().value();
              var options = HadoopReadOptions.builder(c).build();
              long rows = 0;
              while (part.hasNext()) {
                var path = new org.apache.hadoop.fs.Path(new java.net.URI(part.next()));
                FileSystem fs = path.getFileSystem(c);
                var input = HadoopInputFile.fromStatus(fs.getFileStatus(path), c);
                try (var stream = input.newStream()) {
                  for (var block :
                      ParquetFileReader.readFooter(input, options, stream).getBlocks()) {
                    rows += block.getRowCount();
                  }
                }
              }
              return List.of(rows).iterator();
            })
        .reduce(Long::sum);
  }

  /** {@code n} files of 20 rows each, written once from the driver and then reused. */
  private static List<String> corpus(SparkSession spark, Path dir, int n) throws Exception {
    StructType schema =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.FloatType))
            .add("text", DataTypes.StringType);
    List<String> files = new ArrayList<>();
    for (int f = 0; f < n; f++) {
      Path folder = dir.resolve(String.format(Locale.ROOT, "f%04d", f));
      if (!Files.isDirectory(folder)) {
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
          rows.add(RowFactory.create("s" + r, "m", "t", "d", new float[] {-1f, -2f}, "text " + r));
        }
        SmallTables.replace(spark, rows, schema, folder.toString());
      }
      try (var list = Files.list(folder)) {
        list.filter(p -> p.toString().endsWith(".parquet"))
            .forEach(p -> files.add(p.toUri().toString()));
      }
    }
    return files;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
