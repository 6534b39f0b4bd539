package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.tables.SequenceRow;
import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.job.tables.Tables;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sequences/} written by the tasks ({@link SequenceFiles}) against Spark's own Parquet
 * writer ({@link StagedRun#write}, what the job used before) given the same rows: the same
 * partitions, rows, Parquet schema, footer metadata and column encodings; and the commit: only the
 * files of the attempts whose results arrive are moved, a second pass replaces the first.
 */
class SequenceFilesTest extends LocalSparkTest {
  @TempDir Path tmp;

  private static final List<String> EXTRAS = List.of("split", "seed");
  private static final String[] FILES = {
    "file:/in/a.parquet", "file:/in/b%20c.parquet", "file:/in/na%C3%AFve/d.parquet"
  };

  @AfterEach
  void restoreSettings() {
    spark.sparkContext().hadoopConfiguration().unset("parquet.block.size");
    spark.conf().unset("spark.sql.parquet.compression.codec");
  }

  /** How rows come from their input files. */
  enum Order {
    /** Rows 0-99 from file 0, 100-199 from file 1, ...: one file per task of 100 rows. */
    BY_FILE,
    /**
     * In runs of 10 rows, file 0's rows coming back after another file's within a task (0-9 and
     * 20-29 are file 0, 10-19 file 1, 30-39 file 2, ...), as rows of one file may.
     */
    INTERLEAVED
  }

  /** Row {@code i}: every kind of value and null the table holds. */
  static SequenceRow row(int i, boolean extras, Order order) {
    int file =
        order == Order.BY_FILE
            ? (i / 100) % FILES.length
            : (i / 10) % 2 == 0 ? 0 : (i / 10) % 4 == 1 ? 1 : 2;
    double[] soft = SoftColumn.none();
    if (i % 3 == 0) {
      soft[SoftColumn.MEAN_ENTROPY.ordinal()] = 0.5 * i;
      soft[SoftColumn.KL_K3.ordinal()] = 1e-300 * i;
    }
    PositionBuckets.Sums positions = null;
    if (i % 5 != 4) {
      positions = new PositionBuckets.Sums();
      for (int p = 0; p < i % 9; p++) {
        positions.add(p, 0.25 * p + i, i % 2 == 0 ? 0.125 * p : Double.NaN);
      }
    }
    UTF8String[] labels =
        extras
            ? new UTF8String[] {
              utf8(i % 2 == 0 ? "train" : "test"), utf8(i % 7 == 0 ? "" : "s" + (i % 3))
            }
            : SequenceRow.NO_EXTRA_LABELS;
    long tokens = 1 + i % 9;
    double nll = 1.5 * i + 0.1;
    return new SequenceRow(
        utf8("run-1"),
        utf8("seq-" + i + (i % 11 == 0 ? " naïve 日本" : "")),
        utf8(i % 2 == 0 ? "m-a" : "m-b"),
        utf8("tok"),
        utf8(i % 4 == 0 ? "news" : "code"),
        tokens,
        nll,
        nll / tokens,
        Math.exp(nll / tokens),
        20 + i,
        i % 6 == 5 ? -1 : 18 + i,
        i % 8 == 7 ? -1 : 3,
        soft,
        i % 3 == 0 ? 32_000 : 0,
        utf8(FILES[file]),
        positions,
        labels);
  }

  private static UTF8String utf8(String s) {
    return UTF8String.fromString(s);
  }

  private static StructType schema(boolean extras) {
    return Tables.withExtraLabels(Tables.SEQUENCES, extras ? EXTRAS : List.of()).schema();
  }

  /** {@code rows} rows in {@code tasks} tasks, written by the tasks into {@code staged}. */
  private static void writeByTasks(StagedRun staged, int rows, int tasks, boolean extras) {
    writeByTasks(staged, rows, tasks, extras, Order.INTERLEAVED);
  }

  private static void writeByTasks(
      StagedRun staged, int rows, int tasks, boolean extras, Order order) {
    writeByTasks(staged, rows, tasks, extras, order, SequenceFiles.OPEN_FILES);
  }

  private static void writeByTasks(
      StagedRun staged, int rows, int tasks, boolean extras, Order order, int maxOpen) {
    SequenceFiles files = staged.sequenceFiles(schema(extras));
    JavaRDD<SequenceFiles.Written> written =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(IntStream.range(0, rows).boxed().toList(), tasks)
            .mapPartitions(
                (Iterator<Integer> indices) -> {
                  SequenceFiles.Task task = files.openTask(maxOpen);
                  while (indices.hasNext()) {
                    task.write(row(indices.next(), extras, order));
                  }
                  return task.finish().iterator();
                });
    staged.writeSequences(files, written);
  }

  /** The same rows, as the job wrote them before: Spark's writer, partitioned by file_key. */
  private static void writeBySpark(
      StagedRun staged, int rows, int tasks, boolean extras, Order order) {
    JavaRDD<InternalRow> internal =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(IntStream.range(0, rows).boxed().toList(), tasks)
            .map(i -> row(i, extras, order).toInternalRow());
    Dataset<Row> frame =
        ((org.apache.spark.sql.classic.SparkSession) spark)
            .internalCreateDataFrame(internal.rdd(), schema(extras), false);
    staged.write(frame, Tables.SEQUENCES.folder());
  }

  private StagedRun begin(String name, String runId) {
    return StagedRun.begin(spark, tmp.resolve(name).toString(), runId, line -> {});
  }

  private Path stagedTable(String name, String runId) {
    return tmp.resolve(name).resolve("_staging").resolve(runId).resolve("sequences");
  }

  @Test
  void theTasksWriteWhatSparksWriterWritesForTheSameRows() throws IOException {
    record Case(boolean extras, Order order, int maxOpen) {}
    for (Case c :
        List.of(
            new Case(false, Order.BY_FILE, SequenceFiles.OPEN_FILES),
            new Case(true, Order.INTERLEAVED, SequenceFiles.OPEN_FILES),
            new Case(true, Order.INTERLEAVED, 1))) {
      boolean extras = c.extras();
      Order order = c.order();
      int maxOpen = c.maxOpen();
      String name = (extras ? "extras-" : "plain-") + order + "-" + maxOpen;
      writeBySpark(begin("spark-" + name, "r"), 300, 3, extras, order);
      writeByTasks(begin("tasks-" + name, "r"), 300, 3, extras, order, maxOpen);
      Path bySpark = stagedTable("spark-" + name, "r");
      Path byTasks = stagedTable("tasks-" + name, "r");

      assertThat(partitions(byTasks)).isEqualTo(partitions(bySpark)).hasSize(FILES.length);
      for (String partition : partitions(bySpark)) {
        Dataset<Row> expected = spark.read().parquet(bySpark.resolve(partition).toString());
        Dataset<Row> actual = spark.read().parquet(byTasks.resolve(partition).toString());
        assertThat(actual.count()).isEqualTo(expected.count()).isPositive();
        assertThat(actual.exceptAll(expected).count()).as(partition).isZero();
        assertThat(expected.exceptAll(actual).count()).as(partition).isZero();
        ParquetMetadata sparkFooter = footer(parquetFiles(bySpark.resolve(partition)).get(0));
        for (Path file : parquetFiles(byTasks.resolve(partition))) {
          ParquetMetadata footer = footer(file);
          assertThat(footer.getFileMetaData().getSchema())
              .isEqualTo(sparkFooter.getFileMetaData().getSchema());
          assertThat(footer.getFileMetaData().getKeyValueMetaData())
              .isEqualTo(sparkFooter.getFileMetaData().getKeyValueMetaData());
          assertThat(file.getFileName().toString()).startsWith("part-").endsWith(".snappy.parquet");
          if (order == Order.BY_FILE) {
            // The same rows in one file each: the same choices of encoding per column.
            assertThat(encodings(footer)).isEqualTo(encodings(sparkFooter));
          }
        }
      }
      if (order == Order.INTERLEAVED && maxOpen == 1) {
        // File 0's rows come back after another file's within each task, and its file was
        // closed to make room: they go into a further file of the partition.
        assertThat(fileCount(byTasks)).isGreaterThan(fileCount(bySpark));
      } else {
        assertThat(fileCount(byTasks)).isEqualTo(fileCount(bySpark));
      }
      assertThat(byTasks.resolve(SequenceFiles.ATTEMPTS)).doesNotExist();
    }
  }

  @Test
  void rowGroupsAreCutAtTheConfiguredSizeAndEveryRowIsKept() throws IOException {
    spark.sparkContext().hadoopConfiguration().set("parquet.block.size", "65536");
    writeByTasks(begin("groups", "r"), 20_000, 1, false, Order.BY_FILE);

    Path table = stagedTable("groups", "r");
    long rows = 0;
    int groups = 0;
    for (String partition : partitions(table)) {
      for (Path file : parquetFiles(table.resolve(partition))) {
        for (BlockMetaData block : footer(file).getBlocks()) {
          rows += block.getRowCount();
          groups++;
        }
      }
    }
    assertThat(rows).isEqualTo(20_000);
    assertThat(groups).isGreaterThan(2 * FILES.length);
    // Sum of tokens, 1 + i % 9 over i < 20,000, counted here: 2,222 whole cycles of 45, then 1 + 2.
    Row sums = spark.read().parquet(table.toString()).selectExpr("sum(tokens)", "count(*)").first();
    assertThat(sums.getLong(0)).isEqualTo(2_222 * 45 + 3);
    assertThat(sums.getLong(1)).isEqualTo(20_000);
  }

  @Test
  void theSessionsCodecIsUsed() throws IOException {
    spark.conf().set("spark.sql.parquet.compression.codec", "zstd");
    writeByTasks(begin("zstd", "r"), 50, 2, false);

    Path table = stagedTable("zstd", "r");
    for (String partition : partitions(table)) {
      for (Path file : parquetFiles(table.resolve(partition))) {
        assertThat(file.getFileName().toString()).endsWith(".zstd.parquet");
        assertThat(footer(file).getBlocks().get(0).getColumns().get(0).getCodec().name())
            .isEqualTo("ZSTD");
      }
    }
  }

  @Test
  void onlyTheFilesOfAttemptsWhoseResultsArriveAreMoved() throws IOException {
    StagedRun staged = begin("attempts", "r");
    SequenceFiles files = staged.sequenceFiles(schema(false));
    // What a failed or second (speculative) attempt of a task left: never reported to the driver.
    Path left =
        stagedTable("attempts", "r").resolve("_attempts/99/part-00000-x.c000.snappy.parquet");
    Files.createDirectories(left.getParent());
    Files.writeString(left, "not a parquet file");
    JavaRDD<SequenceFiles.Written> written =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(List.of(1, 2, 3), 1)
            .mapPartitions(
                (Iterator<Integer> indices) -> {
                  SequenceFiles.Task task = files.openTask();
                  while (indices.hasNext()) {
                    task.write(row(indices.next(), false, Order.INTERLEAVED));
                  }
                  return task.finish().iterator();
                });
    staged.writeSequences(files, written);

    Path table = stagedTable("attempts", "r");
    assertThat(table.resolve(SequenceFiles.ATTEMPTS)).doesNotExist();
    assertThat(spark.read().parquet(table.toString()).count()).isEqualTo(3);
    try (Stream<Path> all = Files.walk(table)) {
      assertThat(all.filter(p -> p.getFileName().toString().contains("-x."))).isEmpty();
    }
  }

  @Test
  void aSecondPassOfTheRunReplacesTheFirst() {
    StagedRun staged = begin("twice", "r");
    writeByTasks(staged, 30, 2, false);
    writeByTasks(staged, 12, 2, false);

    assertThat(spark.read().parquet(stagedTable("twice", "r").toString()).count()).isEqualTo(12);
  }

  @Test
  void theRowsWrittenPerFileMustBeTheRowsScoredFromIt() {
    String a = "file:/in/a.parquet";
    String b = "file:/in/b%20c.parquet";
    List<SequenceFiles.Written> written =
        List.of(
            new SequenceFiles.Written(FileKeys.ofFilePath(a), "/x/part-0", 2),
            new SequenceFiles.Written(FileKeys.ofFilePath(a), "/x/part-1", 1),
            new SequenceFiles.Written(FileKeys.ofFilePath(b), "/x/part-2", 4));

    SequenceFiles.checkRows(written, Map.of(a, 3L, b, 4L, "file:/in/none.parquet", 0L));
    assertThatThrownBy(() -> SequenceFiles.checkRows(written, Map.of(a, 3L, b, 5L)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Internal error: the run wrote 4 rows of file:/in/b%20c.parquet to sequences/ where it"
                + " scored 5 (please report this; the run is not committed)");
    assertThatThrownBy(() -> SequenceFiles.checkRows(written, Map.of(a, 3L)))
        .hasMessageContaining("wrote 4 rows of file_key=" + FileKeys.ofFilePath(b))
        .hasMessageContaining("where it scored 0");
  }

  private static List<String> partitions(Path table) throws IOException {
    try (Stream<Path> dirs = Files.list(table)) {
      return dirs.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(FileKeys.COLUMN + "="))
          .sorted()
          .toList();
    }
  }

  private static int fileCount(Path table) throws IOException {
    int count = 0;
    for (String partition : partitions(table)) {
      count += parquetFiles(table.resolve(partition)).size();
    }
    return count;
  }

  private static List<Path> parquetFiles(Path partition) throws IOException {
    try (Stream<Path> files = Files.list(partition)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    }
  }

  private static ParquetMetadata footer(Path file) throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      return reader.getFooter();
    }
  }

  /** Per column path, the encodings of its first row group. */
  private static Map<String, String> encodings(ParquetMetadata footer) {
    Map<String, String> out = new TreeMap<>();
    for (ColumnChunkMetaData c : footer.getBlocks().get(0).getColumns()) {
      out.put(c.getPath().toDotString(), new TreeSet<>(c.getEncodings()).toString());
    }
    return out;
  }
}
