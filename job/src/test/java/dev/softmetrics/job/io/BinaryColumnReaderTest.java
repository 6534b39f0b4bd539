package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.duckdb.DuckDBDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xerial.snappy.Snappy;

/**
 * {@link BinaryColumnReader} against Spark's own reader of the same files (the reference: each
 * row's bytes as Spark reads them, by an id column), over the layouts writers produce - Spark's
 * writer with each page format and codec, dictionary on and off, small pages and row groups, a
 * required column; DuckDB's writer with its v2 encodings; pages written by hand - read whole in
 * batches, in ranges that skip forward and go back, and across files that lack the column, hold
 * another type, are damaged, or whose page lies about its lengths.
 */
class BinaryColumnReaderTest extends LocalSparkTest {
  @TempDir Path tmp;

  /** The tasks' allocator: closing it after each test's readers finds any buffer left behind. */
  private RootAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  private static final int ROWS = 400;

  /**
   * Rows of every shape: null (unless required), empty, a few bytes repeated (so that a dictionary
   * is worth writing), and blobs of up to 300 KB whose bytes depend on the row (larger than a page
   * buffer's unit, so pages are decompressed into reused buffers of several sizes).
   */
  private static List<Row> rows(boolean required) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      byte[] value;
      switch (i % 9) {
        case 0 -> value = required ? new byte[] {7} : null;
        case 1 -> value = new byte[0];
        case 2 -> value = new byte[] {1, 2, 3};
        default -> {
          int n = i % 5 == 0 ? 100_000 + (i * 997) % 200_000 : (i * 37) % 3000 + 1;
          value = new byte[n];
          for (int k = 0; k < n; k++) {
            value[k] = (byte) ((k * 31 + i * 7) ^ (k >>> 7));
          }
        }
      }
      rows.add(RowFactory.create(i, value));
    }
    return rows;
  }

  private Path sparkFile(String name, boolean required, Map<String, String> options) {
    Path dir = tmp.resolve(name);
    spark
        .createDataFrame(
            rows(required),
            new StructType()
                .add("id", DataTypes.IntegerType)
                .add("logits", DataTypes.BinaryType, !required))
        .coalesce(1)
        .write()
        .options(options)
        .parquet(dir.toString());
    return Shards.onlyFile(dir);
  }

  /** Each row's bytes as Spark's reader gives them, by id (= row index). */
  private List<List<Byte>> expected(Path file) {
    List<List<Byte>> out = new ArrayList<>();
    for (Row r : spark.read().parquet(file.toString()).orderBy("id").collectAsList()) {
      out.add(r.isNullAt(1) ? null : boxed((byte[]) r.get(1)));
    }
    return out;
  }

  private static List<Byte> boxed(byte[] bytes) {
    List<Byte> out = new ArrayList<>(bytes.length);
    for (byte b : bytes) {
      out.add(b);
    }
    return out;
  }

  /** Rows {@code [first, first + count)} of {@code file}, read by {@code reader}. */
  private List<List<Byte>> read(BinaryColumnReader reader, String file, long first, int count) {
    try (OnHeapColumnVector files = new OnHeapColumnVector(count, DataTypes.StringType);
        OnHeapColumnVector index = new OnHeapColumnVector(count, DataTypes.LongType)) {
      byte[] name = file.getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < count; i++) {
        files.putByteArray(i, name);
        index.putLong(i, first + i);
      }
      try (VarBinaryVector values = reader.read(files, index, count, "logits", allocator)) {
        assertThat(values.getValueCount()).isEqualTo(count);
        List<List<Byte>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          out.add(values.isNull(i) ? null : boxed(values.get(i)));
        }
        return out;
      }
    }
  }

  private BinaryColumnReader reader() {
    return new BinaryColumnReader("logits", spark.sessionState().newHadoopConf());
  }

  /** The whole file in batches, then ranges that skip and go back, then group boundaries. */
  private void readsAsSparkDoes(Path file, int rows) throws IOException {
    List<List<Byte>> expected = expected(file);
    assertThat(expected).hasSize(rows);
    long[][] ranges = {{0, 5}, {5, 7}, {150, 10}, {161, 100}, {1, 3}, {rows - 3, 3}, {300, 1}};
    ReaderWalk.readsAsExpected(file, expected, 8, ranges, this::reader, this::read);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "default",
        "no dictionary",
        "required",
        "required, pages v2",
        "pages v2",
        "pages v2, no dictionary",
        "small pages and row groups",
        "small pages and row groups v2, zstd",
        "gzip",
        "uncompressed"
      })
  void readsWhatSparksWriterWroteAsSparkReadsIt(String setting) throws IOException {
    Map<String, String> options = new HashMap<>();
    if (setting.contains("no dictionary")) {
      options.put("parquet.enable.dictionary", "false");
    }
    if (setting.contains("v2")) {
      options.put("parquet.writer.version", "v2");
    }
    if (setting.contains("small pages")) {
      options.put("parquet.page.size", "2048");
      options.put("parquet.page.size.row.check.min", "2");
      options.put("parquet.page.size.row.check.max", "4");
      options.put("parquet.block.size", "262144");
    }
    for (String codec : List.of("zstd", "gzip", "uncompressed")) {
      if (setting.contains(codec)) {
        options.put("compression", codec);
      }
    }
    Path file = sparkFile("spark", setting.contains("required"), options);
    if (setting.contains("small pages")) {
      assertThat(Shards.groupRows(file).length).as("row groups").isGreaterThan(3);
    }
    readsAsSparkDoes(file, ROWS);
  }

  /**
   * DuckDB's writer, with its v2 encodings (delta lengths, dictionaries) and several row groups.
   */
  @ParameterizedTest
  @ValueSource(strings = {"V1", "V2"})
  void readsWhatDuckDbWroteAsSparkReadsIt(String version) throws Exception {
    Path file = tmp.resolve("duck-" + version + ".parquet");
    try (Connection duck = new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
        Statement st = duck.createStatement()) {
      st.execute(
          "COPY (SELECT i::INTEGER AS id, CASE WHEN i % 10 = 0 THEN NULL"
              + " WHEN i % 10 = 1 THEN ''::BLOB"
              + " WHEN i % 10 = 2 THEN 'same'::BLOB"
              + " ELSE encode(repeat(chr((65 + i % 26)::INTEGER), (i % 700 + 1)::INTEGER)"
              + " || i::VARCHAR) END"
              + " AS logits FROM range(5000) t(i) ORDER BY i) TO '"
              + file
              + "' (FORMAT PARQUET, ROW_GROUP_SIZE 2048, PARQUET_VERSION "
              + version
              + ")");
    }
    assertThat(Shards.groupRows(file).length).isGreaterThan(1);
    readsAsSparkDoes(file, 5000);
  }

  /** Few distinct values, so every page is dictionary-encoded (v1 and v2 pages). */
  @ParameterizedTest
  @ValueSource(strings = {"v1", "v2"})
  void dictionaryPagesReadAsSparkReadsThem(String version) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      rows.add(RowFactory.create(i, i % 7 == 0 ? null : new byte[] {(byte) (i % 5), 1, 2}));
    }
    Path dir = tmp.resolve("dictionary-" + version);
    spark
        .createDataFrame(
            rows,
            new StructType().add("id", DataTypes.IntegerType).add("logits", DataTypes.BinaryType))
        .coalesce(1)
        .write()
        .options(
            Map.of(
                "parquet.writer.version", version,
                "parquet.page.size", "1024",
                "parquet.block.size", "8192"))
        .parquet(dir.toString());
    Path file = Shards.onlyFile(dir);
    try (ParquetFileReader footer =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      assertThat(footer.getRowGroups().get(0).getColumns().get(1).getEncodings())
          .anyMatch(Encoding::usesDictionary);
    }
    readsAsSparkDoes(file, 3000);
  }

  @Test
  void aBatchStillOpenKeepsItsBytesWhileTheNextIsRead() throws IOException {
    Path file = sparkFile("open", false, Map.of("parquet.enable.dictionary", "false"));
    List<List<Byte>> expected = expected(file);
    String name = file.toUri().toString();
    try (BinaryColumnReader reader = reader();
        OnHeapColumnVector files = new OnHeapColumnVector(2, DataTypes.StringType);
        OnHeapColumnVector index = new OnHeapColumnVector(2, DataTypes.LongType)) {
      byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
      files.putByteArray(0, bytes);
      files.putByteArray(1, bytes);
      index.putLong(0, 20);
      index.putLong(1, 21);
      try (VarBinaryVector first = reader.read(files, index, 2, "a", allocator)) {
        index.putLong(0, 30);
        index.putLong(1, 31);
        try (VarBinaryVector second = reader.read(files, index, 2, "b", allocator)) {
          assertThat(boxed(first.get(0))).isEqualTo(expected.get(20));
          assertThat(boxed(first.get(1))).isEqualTo(expected.get(21));
          assertThat(boxed(second.get(1))).isEqualTo(expected.get(31));
        }
      }
    }
  }

  /**
   * A batch whose values outgrow one Arrow vector is the setting's fault, not the file's: an
   * IllegalArgumentException naming the file and the setting to lower (the CLI's one line, exit 2),
   * not Spark's read failure, which would call the file unreadable (and skip it with {@code
   * read.skip-corrupt-files}). The reader then reads smaller batches of the same file.
   */
  @Test
  void aBatchTooLargeForOneVectorNamesTheSettingNotAReadFailure() throws IOException {
    Path file = sparkFile("large", false, Map.of());
    List<List<Byte>> expected = expected(file);
    String name = file.toUri().toString();
    try (BinaryColumnReader reader =
        new BinaryColumnReader("logits", spark.sessionState().newHadoopConf(), 200_000)) {
      Throwable error = catchThrowable(() -> read(reader, name, 0, 40));
      assertThat(error)
          .isInstanceOf(IllegalArgumentException.class)
          .isNotInstanceOf(SparkThrowable.class)
          .hasMessageStartingWith("Cannot read logits of " + name + ": its batch of 40 rows")
          .hasMessageContaining("lower read.logits-batch-rows");
      assertThat(read(reader, name, 3, 1)).isEqualTo(expected.subList(3, 4));
      assertThat(read(reader, name, 0, 2)).isEqualTo(expected.subList(0, 2));
    }
  }

  @Test
  void aFileWithoutTheColumnGivesNulls() throws IOException {
    Path dir = tmp.resolve("without");
    spark
        .createDataFrame(
            List.of(RowFactory.create(1), RowFactory.create(2), RowFactory.create(3)),
            new StructType().add("id", DataTypes.IntegerType))
        .coalesce(1)
        .write()
        .parquet(dir.toString());
    String name = Shards.onlyFile(dir).toUri().toString();
    try (BinaryColumnReader reader = reader()) {
      assertThat(read(reader, name, 1, 2)).containsExactly(null, null);
    }
  }

  @Test
  void aColumnThatIsNotBinaryFailsAsSparksReadErrorNamingTheFile() throws IOException {
    Path dir = tmp.resolve("floats");
    spark
        .createDataFrame(
            List.<Row>of(RowFactory.create(1, List.of(1f))),
            new StructType()
                .add("id", DataTypes.IntegerType)
                .add("logits", DataTypes.createArrayType(DataTypes.FloatType)))
        .coalesce(1)
        .write()
        .parquet(dir.toString());
    String name = Shards.onlyFile(dir).toUri().toString();
    Throwable error;
    try (BinaryColumnReader reader = reader()) {
      error = catchThrowable(() -> read(reader, name, 0, 1));
    }
    assertReadFailure(error, name, "is not a binary column");
  }

  @Test
  void damageInsideTheColumnsPagesFailsAsSparksReadErrorNamingTheFile() throws IOException {
    Path file = sparkFile("damaged", false, Map.of("parquet.enable.dictionary", "false"));
    Shards.corruptColumnChunk(file, "logits");
    String name = file.toUri().toString();
    Throwable error;
    try (BinaryColumnReader reader = reader()) {
      error = catchThrowable(() -> read(reader, name, 0, 10));
    }
    assertReadFailure(error, name, null);
  }

  /**
   * A PLAIN page written by hand whose second value claims 1,000 bytes where the page holds 3: the
   * file's read failure, not bytes from past the page.
   */
  @Test
  void aValueClaimingMoreBytesThanItsPageHoldsIsAReadFailure() throws IOException {
    ByteBuffer page = ByteBuffer.allocate(4 + 2 + 4 + 3).order(ByteOrder.LITTLE_ENDIAN);
    page.putInt(2).put(new byte[] {9, 8}).putInt(1000).put(new byte[] {1, 2, 3});
    Path file = writeByHand("lies.parquet", CompressionCodecName.UNCOMPRESSED, page.array(), 2, 13);
    String name = file.toUri().toString();
    Throwable error;
    try (BinaryColumnReader reader = reader()) {
      assertThat(read(reader, name, 0, 1)).containsExactly(List.of((byte) 9, (byte) 8));
      error = catchThrowable(() -> read(reader, name, 1, 1));
    }
    assertReadFailure(error, name, "claims 1000 bytes where the page has 3 left");
  }

  /**
   * A Snappy page whose header gives another size than Snappy's own header: the file's read
   * failure, before the native call could write past the buffer sized by the page header.
   */
  @Test
  void aSnappyPageLongerThanItsHeaderSaysIsAReadFailure() throws IOException {
    ByteBuffer page = ByteBuffer.allocate(4 + 5000).order(ByteOrder.LITTLE_ENDIAN);
    page.putInt(5000);
    for (int i = 0; i < 5000; i++) {
      page.put((byte) (i * 7));
    }
    byte[] compressed = Snappy.compress(page.array());
    Path good =
        writeByHand("snappy.parquet", CompressionCodecName.SNAPPY, compressed, 1, page.capacity());
    Path bad = writeByHand("short.parquet", CompressionCodecName.SNAPPY, compressed, 1, 100);
    try (BinaryColumnReader reader = reader()) {
      List<Byte> expected = boxed(java.util.Arrays.copyOfRange(page.array(), 4, 5004));
      assertThat(read(reader, good.toUri().toString(), 0, 1)).containsExactly(expected);
      Throwable error = catchThrowable(() -> read(reader, bad.toUri().toString(), 0, 1));
      assertReadFailure(
          error, bad.toUri().toString(), "decompresses to 5004 bytes, its page header says 100");
    }
  }

  /**
   * A fixed-length byte array column, which Spark reads as binary too: its PLAIN values carry no
   * lengths. Three values of 6 bytes, as Spark's reader reads them.
   */
  @Test
  void aFixedLengthByteArrayColumnReadsAsSparkReadsIt() throws IOException {
    byte[] page = new byte[18];
    for (int i = 0; i < page.length; i++) {
      page[i] = (byte) (i * 11 + 1);
    }
    Path file =
        writeByHand(
            "fixed.parquet",
            "message spark_schema { required fixed_len_byte_array(6) logits; }",
            CompressionCodecName.UNCOMPRESSED,
            page,
            3,
            page.length);
    List<List<Byte>> spark = new ArrayList<>();
    for (Row r : this.spark.read().parquet(file.toString()).collectAsList()) {
      spark.add(boxed((byte[]) r.get(0)));
    }
    assertThat(spark).hasSize(3);
    assertThat(spark.get(1)).isEqualTo(boxed(java.util.Arrays.copyOfRange(page, 6, 12)));
    try (BinaryColumnReader reader = reader()) {
      assertThat(read(reader, file.toUri().toString(), 0, 3)).isEqualTo(spark);
      assertThat(read(reader, file.toUri().toString(), 2, 1)).isEqualTo(spark.subList(2, 3));
    }
  }

  /**
   * One required binary column in one v1 page of {@code values} values: {@code bytes} as the page
   * holds them (compressed with {@code codec}), {@code uncompressed} the size its header claims.
   */
  private Path writeByHand(
      String name, CompressionCodecName codec, byte[] bytes, int values, int uncompressed)
      throws IOException {
    return writeByHand(
        name,
        "message spark_schema { required binary logits; }",
        codec,
        bytes,
        values,
        uncompressed);
  }

  private Path writeByHand(
      String name,
      String message,
      CompressionCodecName codec,
      byte[] bytes,
      int values,
      int uncompressed)
      throws IOException {
    Path file = tmp.resolve(name);
    MessageType schema = MessageTypeParser.parseMessageType(message);
    ColumnDescriptor column = schema.getColumns().get(0);
    ParquetFileWriter writer =
        new ParquetFileWriter(
            HadoopOutputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), spark.sessionState().newHadoopConf()),
            schema,
            ParquetFileWriter.Mode.CREATE,
            1 << 20,
            0);
    writer.start();
    writer.startBlock(values);
    writer.startColumn(column, values, codec);
    writer.writeDataPage(
        values,
        uncompressed,
        BytesInput.from(bytes),
        Statistics.createStats(column.getPrimitiveType()),
        Encoding.BIT_PACKED,
        Encoding.BIT_PACKED,
        Encoding.PLAIN);
    writer.endColumn();
    writer.endBlock();
    writer.end(Map.of());
    return file;
  }

  private static void assertReadFailure(Throwable error, String file, String cause) {
    assertThat(error).isInstanceOf(SparkThrowable.class);
    SparkThrowable spark = (SparkThrowable) error;
    assertThat(spark.getCondition()).startsWith("FAILED_READ_FILE");
    assertThat(spark.getMessageParameters()).containsEntry("path", file);
    if (cause != null) {
      assertThat(error).hasStackTraceContaining(cause);
    }
  }
}
