package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.FlakyFileSystem;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that fails once, in the middle of reading its file, is retried, and the tables are
 * identical to those of an undisturbed run. The failure comes from {@link FlakyFileSystem}, a
 * test-only file system under the {@code flaky:} scheme; {@code local[2,2]} gives each task a
 * second attempt.
 */
class TaskRetryTest {
  private static SparkSession spark;

  @TempDir Path tmp;

  private final AtomicInteger failedTasks = new AtomicInteger();

  @BeforeAll
  static void startSpark() {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master("local[2,2]")
            .appName("softmetrics-retry-test")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.hadoop.fs.flaky.impl", FlakyFileSystem.class.getName())
            // Small row groups, so that a file has several and a read can fail between them.
            .config("spark.hadoop.parquet.block.size", "4096");
    JobConfig.defaults().sparkConf().forEach(builder::config);
    dev.softmetrics.job.io.NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
    spark = builder.getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @BeforeEach
  void countFailedTasks() {
    FlakyFileSystem.reset();
    spark
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.reason() != Success$.MODULE$) {
                  failedTasks.incrementAndGet();
                }
              }
            });
  }

  @Test
  void logprobsTablesAfterARetriedTaskEqualThoseOfAnUndisturbedRun() throws IOException {
    StructType schema =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
            .add("text", DataTypes.StringType);
    List<Path> files = new ArrayList<>();
    for (int f = 0; f < 2; f++) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        double[] lp = new double[1 + i % 7];
        java.util.Arrays.fill(lp, -0.001 * (i + 1) - f);
        // Every 50th row is bad, so rejected/ is written from the retried scan too.
        if (i % 50 == 49) {
          lp[0] = Double.NaN;
        }
        rows.add(
            RowFactory.create("f" + f + "-" + i, "m", "t", "d" + i % 3, lp, "x".repeat(i % 9)));
      }
      files.add(Shards.write(spark, tmp.resolve("in/" + f), schema, rows));
    }
    assertRetriedRunEqualsUndisturbed(files, "read.batch-rows=64");
  }

  @Test
  void logitsTablesAfterARetriedTaskEqualThoseOfAnUndisturbedRun() throws IOException {
    StructType schema =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("first_position", DataTypes.IntegerType)
            .add("target_ids", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("vocab_size", DataTypes.IntegerType)
            .add("logits_dtype", DataTypes.StringType)
            .add("logits", DataTypes.BinaryType)
            .add("text", DataTypes.StringType);
    // Sequences of two chunks, the second chunk of each in the other file.
    List<List<Row>> rows = List.of(new ArrayList<>(), new ArrayList<>());
    for (int s = 0; s < 300; s++) {
      for (int c = 0; c < 2; c++) {
        ByteBuffer blob = ByteBuffer.allocate(2 * 4 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 8; k++) {
          blob.putFloat((float) Math.sin(s * 8 + k + c));
        }
        rows.get((s + c) % 2)
            .add(
                RowFactory.create(
                    "s" + s,
                    "m",
                    "t",
                    "d" + s % 2,
                    2 * c,
                    new Integer[] {s % 4, (s + c) % 4},
                    4,
                    "float32",
                    blob.array(),
                    c == 0 ? "text " + s : null));
      }
    }
    List<Path> files = new ArrayList<>();
    for (int f = 0; f < 2; f++) {
      files.add(Shards.write(spark, tmp.resolve("in/" + f), schema, rows.get(f)));
    }
    assertRetriedRunEqualsUndisturbed(files, "read.logits-batch-rows=16");
  }

  private void assertRetriedRunEqualsUndisturbed(List<Path> files, String batchRows)
      throws IOException {
    List<String> inputs = new ArrayList<>();
    for (Path file : files) {
      inputs.add(FlakyFileSystem.SCHEME + "://" + file.getParent());
    }
    RunResult undisturbed = run(inputs, "undisturbed", batchRows);
    assertThat(failedTasks.get()).as("failed tasks, undisturbed").isZero();

    for (Path file : files) {
      FlakyFileSystem.failOnceAt(file.toString(), secondRowGroup(file));
    }
    RunResult retried = run(inputs, "retried", batchRows);

    assertThat(FlakyFileSystem.injected()).as("injected failures").isEqualTo(files.size());
    assertThat(failedTasks.get()).as("failed tasks").isGreaterThanOrEqualTo(files.size());
    for (String table : List.of("sequences", "corpus", "rejected")) {
      List<String> expected = rows("undisturbed", table);
      assertThat(rows("retried", table)).as(table).isEqualTo(expected);
      if (!table.equals("rejected")) {
        assertThat(expected).as(table).isNotEmpty();
      }
    }
    assertThat(retried.run().inputFiles()).isEqualTo(undisturbed.run().inputFiles());
    assertThat(retried.run().accountingOk()).isTrue();
  }

  /** The offset of the file's second row group: reading it fails, after the first was scored. */
  private static long secondRowGroup(Path file) throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      List<BlockMetaData> groups = reader.getFooter().getBlocks();
      assertThat(groups).as("row groups of %s", file).hasSizeGreaterThan(2);
      return groups.get(1).getStartingPos();
    }
  }

  private RunResult run(List<String> inputs, String output, String batchRows) {
    return ScoreJob.run(
        spark,
        new ScoreRequest(
            inputs,
            tmp.resolve(output).toString(),
            "retry",
            JobConfig.load(null, List.of(batchRows))));
  }

  private List<String> rows(String output, String table) {
    return Shards.tableRows(spark, tmp.resolve(output).resolve(table).toString());
  }
}
