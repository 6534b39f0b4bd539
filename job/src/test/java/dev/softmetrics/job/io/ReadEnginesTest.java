package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.config.ReadEngine;
import dev.softmetrics.job.demo.DemoCorpusWriter;
import dev.softmetrics.job.score.RunResult;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arrow's native reader and Spark's reader must give the same tables, value for value, on inputs
 * that exercise every difference between them: several row groups per file (row indexes in
 * messages), Hive-style partition folders, a path with a space, dictionary-encoded text, double
 * lists with null and empty lists and null elements, a column missing from some files, counts
 * instead of text.
 */
class ReadEnginesTest extends LocalSparkTest {

  @TempDir Path tmp;

  @Test
  void demoCorpusInSmallRowGroupsUnderAPathWithASpace() {
    String flat = tmp.resolve("in put/flat").toString();
    DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(7, 4, 300, 13), 3_000, 3, flat);
    // Rewrite in row groups of about 64 KiB: a file's rows are read in many batches, and the row
    // index of a rejected row in a later row group must still be its position in the file.
    String small = tmp.resolve("in put/small groups").toString();
    spark
        .read()
        .parquet(flat)
        .coalesce(2)
        .write()
        .option("parquet.block.size", 64 * 1024)
        .option("parquet.page.size", 8 * 1024)
        .parquet(small);

    RunResult arrow = assertSameTables(List.of(small), 512);
    assertThat(arrow.run().rowsRejected()).isGreaterThan(100);
    assertThat(arrow.run().sequencesScored()).isGreaterThan(2_000);
  }

  @Test
  void hivePartitionFoldersAndDictionaryText() {
    String flat = tmp.resolve("flat").toString();
    DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(3, 8, 60, 17), 1_200, 2, flat);
    String partitioned = tmp.resolve("partitioned").toString();
    spark.read().parquet(flat).write().partitionBy("model", "domain").parquet(partitioned);

    RunResult arrow = assertSameTables(List.of(partitioned), 4096);
    assertThat(arrow.run().rowsRejected()).isPositive();
  }

  @Test
  void doubleListsWithNullsAndCountsInsteadOfText() {
    StructType schema =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType, true))
            .add("text", DataTypes.StringType)
            .add("num_bytes", DataTypes.LongType)
            .add("num_chars", DataTypes.IntegerType)
            .add("num_words", DataTypes.LongType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Object logprobs =
          switch (i % 11) {
            case 3 -> null;
            case 5 -> List.of();
            case 7 -> Arrays.asList(-1.0, null, -2.0);
            case 9 -> List.of(-0.5, Double.NaN);
            default -> List.of(-0.25 * (1 + i % 5), -1.5, -3.0 - i / 1000.0);
          };
      String text = i % 4 == 0 ? null : "tëxt " + i + " 日本";
      Long bytes = i % 4 == 0 && i % 3 != 0 ? 40L + i : null;
      Integer chars = bytes == null ? null : 30 + i;
      Long words = bytes == null ? null : 3L;
      String model = i % 29 == 0 ? "" : "m" + i % 2;
      rows.add(
          RowFactory.create("s" + i, model, "t", "d" + i % 3, logprobs, text, bytes, chars, words));
    }
    String input = tmp.resolve("doubles").toString();
    spark.createDataFrame(rows, schema).repartition(3).write().parquet(input);

    RunResult arrow = assertSameTables(List.of(input), 64);
    assertThat(arrow.run().rowsRejected()).isPositive();
  }

  @Test
  void aColumnMissingFromSomeFilesIsNullInThoseFiles() {
    StructType withCounts =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.FloatType))
            .add("text", DataTypes.StringType)
            .add("num_bytes", DataTypes.IntegerType);
    StructType withoutCounts =
        new StructType(Arrays.copyOf(withCounts.fields(), withCounts.fields().length - 1));
    String input = tmp.resolve("mixed").toString();
    // The first file (in listing order, whose footer gives Spark its schema) has num_bytes.
    write(
        spark.createDataFrame(
            List.of(
                RowFactory.create("a1", "m", "t", "d", List.of(-1f), null, 5),
                RowFactory.create("a2", "m", "t", "d", List.of(-2f), "xy", 9)),
            withCounts),
        input + "/a");
    write(
        spark.createDataFrame(
            List.of(
                RowFactory.create("b1", "m", "t", "d", List.of(-1f, -1f), "abc"),
                RowFactory.create("b2", "m", "t", "d", List.of(-3f), null)),
            withoutCounts),
        input + "/b");

    RunResult arrow = assertSameTables(List.of(input + "/a", input + "/b"), 4096);
    assertThat(arrow.run().sequencesScored()).isEqualTo(3);
    assertThat(arrow.run().rowsRejected()).isEqualTo(1);
  }

  @Test
  void autoTakesArrowForLocalFilesAndArrowCanBeRefused() {
    String input = tmp.resolve("auto").toString();
    DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(1, 4, 8, 0), 50, 1, input);
    var names = JobConfig.defaults().columns();
    var format = JobConfig.defaults().format();
    assertThat(
            ShardScan.logprobs(spark, List.of(input), names, format, ReadEngine.AUTO, 64).engine())
        .isEqualTo(ReadEngine.ARROW);
    assertThat(
            ShardScan.logprobs(spark, List.of(input), names, format, ReadEngine.SPARK, 64).engine())
        .isEqualTo(ReadEngine.SPARK);
    assertThatThrownBy(() -> ReadEngine.parse("duckdb"))
        .hasMessageContaining("read.engine")
        .hasMessageContaining("auto, arrow or spark");
  }

  @Test
  void filePathsAreSpelledAsSparkSpellsTheMetadataColumn() throws Exception {
    assertThat(ShardScan.metadataFilePath(new URI("file:///a%20b/c.parquet")))
        .isEqualTo("file:/a%20b/c.parquet");
    assertThat(ShardScan.metadataFilePath(new URI("file:/a/c.parquet")))
        .isEqualTo("file:/a/c.parquet");
    assertThat(ShardScan.metadataFilePath(new URI("hdfs://nn:8020/x/y.parquet")))
        .isEqualTo("hdfs://nn:8020/x/y.parquet");
  }

  @Test
  void groupsSpreadFilesBySizeAndKeepEveryFileOnce() {
    List<NativeShards.ShardFile> files = new ArrayList<>();
    long[] sizes = {100, 90, 80, 10, 10, 10, 5};
    for (int i = 0; i < sizes.length; i++) {
      files.add(new NativeShards.ShardFile("f" + i, "file:/f" + i, sizes[i], new String[0]));
    }
    List<List<NativeShards.ShardFile>> groups = NativeShards.groups(files, 3);
    assertThat(groups).hasSize(3);
    assertThat(groups.stream().flatMap(List::stream).map(NativeShards.ShardFile::path))
        .containsExactlyInAnyOrder("f0", "f1", "f2", "f3", "f4", "f5", "f6");
    List<Long> loads =
        groups.stream()
            .map(g -> g.stream().mapToLong(NativeShards.ShardFile::bytes).sum())
            .sorted()
            .toList();
    assertThat(loads).containsExactly(100L, 100L, 105L);
    assertThat(NativeShards.groups(files, 100)).hasSize(files.size());
    assertThat(NativeShards.groups(List.of(), 4)).isEmpty();
  }

  /** Runs the job with each reader into its own folder; returns Arrow's run. */
  private RunResult assertSameTables(List<String> inputs, int batchRows) {
    String viaSpark = tmp.resolve("out-spark-" + inputs.hashCode()).toString();
    String viaArrow = tmp.resolve("out-arrow-" + inputs.hashCode()).toString();
    RunResult spark = run(inputs, viaSpark, "spark", batchRows);
    RunResult arrow = run(inputs, viaArrow, "arrow", batchRows);
    for (String table : List.of("sequences", "rejected", "corpus")) {
      List<Row> fromSpark = rows(viaSpark + "/" + table);
      List<Row> fromArrow = rows(viaArrow + "/" + table);
      assertThat(fromArrow).as(table).isNotNull().containsExactlyElementsOf(fromSpark);
    }
    assertThat(rows(viaSpark + "/sequences")).isNotEmpty();
    assertThat(arrow.run().rowsRead()).isEqualTo(spark.run().rowsRead());
    assertThat(arrow.run().accountingOk()).isTrue();
    return arrow;
  }

  private static RunResult run(List<String> inputs, String output, String engine, int batchRows) {
    JobConfig config =
        JobConfig.load(null, List.of("read.engine=" + engine, "read.batch-rows=" + batchRows));
    return ScoreJob.run(LocalSparkTest.spark, new ScoreRequest(inputs, output, "same-run", config));
  }

  private static List<Row> rows(String table) {
    Dataset<Row> frame = spark.read().parquet(table);
    String[] columns = frame.columns();
    return frame.sort(columns[0], Arrays.copyOfRange(columns, 1, columns.length)).collectAsList();
  }

  private static void write(Dataset<Row> frame, String dir) {
    frame.coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir);
  }
}
