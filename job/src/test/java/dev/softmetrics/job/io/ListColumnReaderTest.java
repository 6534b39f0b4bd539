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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.bitpacking.ByteBitPackingValuesWriter;
import org.apache.parquet.column.values.bitpacking.Packer;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.duckdb.DuckDBDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ListColumnReader} against Spark's own reader of the same files (the reference: each row's
 * list as Spark reads it, ordered by an id column), over the layouts writers produce - Spark's
 * writer with each page format, dictionary on and off, small pages and row groups, float and
 * double; DuckDB's writer; and pages written by hand where a list continues from one page into the
 * next and levels are {@code BIT_PACKED} - read whole in batches, in ranges that skip forward and
 * go back, and across a file that lacks the column or cannot be read.
 */
class ListColumnReaderTest extends LocalSparkTest {
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

  private static final int ROWS = 700;

  private static StructType schema(DataType element) {
    return new StructType()
        .add("id", DataTypes.IntegerType)
        .add("token_logprobs", DataTypes.createArrayType(element, true));
  }

  /**
   * Rows of every shape: null lists, empty lists, null elements (first and inside), NaN, -inf, -0.0
   * and a positive value, and lists of 1 to 300 values, some of them repeated (so that a dictionary
   * is worth writing for the first pages).
   */
  private static List<Row> rows(boolean doubles) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      Object list;
      switch (i % 11) {
        case 0 -> list = null;
        case 1 -> list = new Object[0];
        case 2 -> list = new Object[] {null, -1.5, -2.25, null, -0.125};
        case 3 -> list = new Object[] {Double.NaN, Double.NEGATIVE_INFINITY, -0.0, 0.5};
        default -> {
          int n = (i * 7) % 300 + 1;
          Object[] values = new Object[n];
          for (int k = 0; k < n; k++) {
            values[k] = i < 200 ? -(k % 13) / 8.0 : -((i * 31 + k) % 1000) / 97.0 - 1e-7 * k;
          }
          list = values;
        }
      }
      if (list != null && !doubles) {
        Object[] values = (Object[]) list;
        Object[] floats = new Object[values.length];
        for (int k = 0; k < values.length; k++) {
          floats[k] = values[k] == null ? null : (float) (double) (Double) values[k];
        }
        list = floats;
      }
      rows.add(RowFactory.create(i, list == null ? null : Arrays.asList((Object[]) list)));
    }
    return rows;
  }

  private Path sparkFile(String name, boolean doubles, Map<String, String> options) {
    Path dir = tmp.resolve(name);
    spark
        .createDataFrame(
            rows(doubles), schema(doubles ? DataTypes.DoubleType : DataTypes.FloatType))
        .coalesce(1)
        .write()
        .options(options)
        .parquet(dir.toString());
    return Shards.onlyFile(dir);
  }

  /** Each row's list as Spark's reader gives it, by id (= row index). */
  private List<List<Object>> expected(Path file) {
    List<List<Object>> out = new ArrayList<>();
    for (Row r : spark.read().parquet(file.toString()).orderBy("id").collectAsList()) {
      out.add(r.isNullAt(1) ? null : new ArrayList<>(r.getList(1)));
    }
    return out;
  }

  /** Rows {@code [first, first + count)} of {@code file}, read by {@code reader}. */
  private List<List<Object>> read(ListColumnReader reader, String file, long first, int count) {
    try (OnHeapColumnVector files = new OnHeapColumnVector(count, DataTypes.StringType);
        OnHeapColumnVector index = new OnHeapColumnVector(count, DataTypes.LongType)) {
      byte[] name = file.getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < count; i++) {
        files.putByteArray(i, name);
        index.putLong(i, first + i);
      }
      try (ListVector list = reader.read(files, index, count, "token_logprobs", allocator)) {
        assertThat(list.getValueCount()).isEqualTo(count);
        List<List<Object>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          out.add(list.isNull(i) ? null : new ArrayList<>(list.getObject(i)));
        }
        return out;
      }
    }
  }

  private ListColumnReader reader() {
    return new ListColumnReader("token_logprobs", spark.sessionState().newHadoopConf());
  }

  /** The whole file in batches of {@code batch} rows, then ranges that skip and go back. */
  private void readsAsSparkDoes(Path file) throws IOException {
    readsAsSparkDoes(file, ROWS);
  }

  private void readsAsSparkDoes(Path file, int rows) throws IOException {
    List<List<Object>> expected = expected(file);
    assertThat(expected).hasSize(rows);
    long[][] ranges = {{0, 5}, {5, 7}, {150, 10}, {161, 200}, {1, 3}, {rows - 3, 3}, {400, 1}};
    ReaderWalk.readsAsExpected(file, expected, 64, ranges, this::reader, this::read);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "default",
        "no dictionary",
        "pages v2",
        "pages v2, no dictionary",
        "small pages and row groups",
        "pages of 100 KB",
        "small pages and row groups v2, zstd",
        "doubles",
        "doubles, pages v2, gzip"
      })
  void readsWhatSparksWriterWroteAsSparkReadsIt(String setting) throws IOException {
    Map<String, String> options = new java.util.HashMap<>();
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
      options.put("parquet.block.size", "32768");
    }
    if (setting.contains("100 KB")) {
      // Decompressed into buffers the reader reuses from page to page (PageBuffers).
      options.put("parquet.page.size", "100000");
      options.put("parquet.enable.dictionary", "false");
    }
    if (setting.contains("zstd")) {
      options.put("compression", "zstd");
    }
    if (setting.contains("gzip")) {
      options.put("compression", "gzip");
    }
    Path file = sparkFile("spark", setting.contains("doubles"), options);
    if (setting.contains("small pages")) {
      assertThat(rowGroups(file)).as("row groups").isGreaterThan(3);
    }
    readsAsSparkDoes(file);
  }

  @Test
  void readsWhatDuckDbWroteAsSparkReadsIt() throws Exception {
    Path file = tmp.resolve("duck.parquet");
    try (Connection duck = new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
        Statement st = duck.createStatement()) {
      st.execute(
          "COPY (SELECT i::INTEGER AS id, CASE WHEN i % 10 = 0 THEN NULL"
              + " WHEN i % 10 = 1 THEN []::FLOAT[]"
              + " WHEN i % 10 = 2 THEN [NULL, -1.0, NULL]::FLOAT[]"
              + " ELSE list_transform(range(i % 257 + 1), k -> (-(k + i) / 7.0)::FLOAT) END"
              + " AS token_logprobs FROM range(5000) t(i) ORDER BY i) TO '"
              + file
              + "' (FORMAT PARQUET, ROW_GROUP_SIZE 2048)");
    }
    assertThat(rowGroups(file)).isGreaterThan(1);
    readsAsSparkDoes(file, 5000);
  }

  /**
   * Pages written by hand: rows [-1, -2, -3], [-4 .. -9], null, [], [-10, null, -11], split so that
   * the second row starts in page 1 and ends in page 2 and the fifth spans pages 2 and 3; levels
   * RLE in one file and BIT_PACKED (the old v1 encoding) in the other.
   */
  @ParameterizedTest
  @ValueSource(strings = {"RLE", "BIT_PACKED"})
  void aListThatContinuesIntoTheNextPageIsOneRow(String levelEncoding) throws IOException {
    Path file = tmp.resolve("hand-" + levelEncoding + ".parquet");
    Encoding levels = Encoding.valueOf(levelEncoding);
    // One level per list element, or per null / empty list: (repetition, definition).
    writeByHand(
        file,
        THREE_LEVELS,
        5,
        levels,
        new HandPage(
            new int[][] {{0, 3}, {1, 3}, {1, 3}, {0, 3}, {1, 3}}, new float[] {-1, -2, -3, -4, -5}),
        new HandPage(
            new int[][] {{1, 3}, {1, 3}, {1, 3}, {1, 3}, {0, 0}, {0, 1}, {0, 3}, {1, 2}},
            new float[] {-6, -7, -8, -9, -10}),
        new HandPage(new int[][] {{1, 3}}, new float[] {-11}));

    List<List<Object>> expected = new ArrayList<>();
    expected.add(List.of(-1f, -2f, -3f));
    expected.add(List.of(-4f, -5f, -6f, -7f, -8f, -9f));
    expected.add(null);
    expected.add(List.of());
    expected.add(Arrays.asList(-10f, null, -11f));
    String name = file.toUri().toString();
    try (ListColumnReader reader = reader()) {
      assertThat(read(reader, name, 0, 5)).isEqualTo(expected);
      assertThat(read(reader, name, 1, 1)).isEqualTo(expected.subList(1, 2));
      assertThat(read(reader, name, 4, 1)).isEqualTo(expected.subList(4, 5));
    }
    if (levels == Encoding.BIT_PACKED) {
      return; // Spark's vectorized reader refuses these levels ("Unsupported encoding").
    }
    // The format means what the expectation says: Spark's reader reads the same rows.
    assertThat(sparksRows(file)).isEqualTo(expected);
  }

  /**
   * A page header that claims far more levels than the footer gives its column chunk (a damaged or
   * hostile file) is a read failure of that file, before any array is sized by the claim.
   */
  @Test
  void aPageClaimingMoreValuesThanItsChunkIsAReadFailure() throws IOException {
    Path file = tmp.resolve("claims.parquet");
    writeByHand(
        file,
        THREE_LEVELS,
        1,
        Encoding.RLE,
        new HandPage(new int[][] {{0, 3}, {1, 3}}, new float[] {-1, -2}, 1 << 30));
    String name = file.toUri().toString();
    Throwable error;
    try (ListColumnReader reader = reader()) {
      error = catchThrowable(() -> read(reader, name, 0, 1));
    }
    // Each page's count is checked against what the footer leaves the chunk, before it is decoded.
    assertReadFailure(error, name, "a data page of 1073741824 values, where the column chunk has");
  }

  /**
   * A two-level list as old writers wrote it ({@code repeated float array} directly inside the LIST
   * group, elements required): rows [-1, -2], null, [], [-3], as Spark's reader reads them.
   */
  @Test
  void aTwoLevelListAsOldWritersWroteItReadsAsSparkReadsIt() throws IOException {
    Path file = tmp.resolve("two-level.parquet");
    writeByHand(
        file,
        "message spark_schema { optional group token_logprobs (LIST) { repeated float array; } }",
        4,
        Encoding.RLE,
        new HandPage(
            new int[][] {{0, 2}, {1, 2}, {0, 0}, {0, 1}, {0, 2}}, new float[] {-1, -2, -3}));

    List<List<Object>> expected = new ArrayList<>();
    expected.add(List.of(-1f, -2f));
    expected.add(null);
    expected.add(List.of());
    expected.add(List.of(-3f));
    try (ListColumnReader reader = reader()) {
      assertThat(read(reader, file.toUri().toString(), 0, 4)).isEqualTo(expected);
    }
    assertThat(sparksRows(file)).isEqualTo(expected);
  }

  private static final String THREE_LEVELS =
      "message spark_schema { optional group token_logprobs (LIST) {"
          + " repeated group list { optional float element; } } }";

  /**
   * A v1 data page written by hand: its (repetition, definition) levels, its PLAIN values, and the
   * value count its header claims (the number of levels, unless a test lies).
   */
  private record HandPage(int[][] levels, float[] values, int claimed) {
    HandPage(int[][] levels, float[] values) {
      this(levels, values, levels.length);
    }
  }

  /**
   * Writes a file of one column chunk of {@code rows} rows in {@code pages}, uncompressed, levels
   * in {@code levelEncoding}; the chunk's value count in the footer is the pages' levels.
   */
  private void writeByHand(
      Path file, String message, int rows, Encoding levelEncoding, HandPage... pages)
      throws IOException {
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
    writer.startBlock(rows);
    writer.startColumn(
        column,
        java.util.Arrays.stream(pages).mapToLong(p -> p.levels().length).sum(),
        CompressionCodecName.UNCOMPRESSED);
    for (HandPage page : pages) {
      BytesInput bytes =
          BytesInput.concat(
              levels(page.levels(), 0, column.getMaxRepetitionLevel(), levelEncoding),
              levels(page.levels(), 1, column.getMaxDefinitionLevel(), levelEncoding),
              floats(page.values()));
      writer.writeDataPage(
          page.claimed(),
          (int) bytes.size(),
          bytes,
          Statistics.createStats(column.getPrimitiveType()),
          levelEncoding,
          levelEncoding,
          Encoding.PLAIN);
    }
    writer.endColumn();
    writer.endBlock();
    writer.end(Map.of());
  }

  /** The rows of a one-column file as Spark's reader gives them, in file order. */
  private List<List<Object>> sparksRows(Path file) {
    List<List<Object>> rows = new ArrayList<>();
    for (Row r : spark.read().parquet(file.toString()).collectAsList()) {
      rows.add(r.isNullAt(0) ? null : new ArrayList<>(r.getList(0)));
    }
    return rows;
  }

  /** Levels {@code which} (0: repetition, 1: definition) of a v1 page, as {@code encoding}. */
  private static BytesInput levels(int[][] levels, int which, int max, Encoding encoding)
      throws IOException {
    int width = 32 - Integer.numberOfLeadingZeros(max);
    if (encoding == Encoding.RLE) {
      RunLengthBitPackingHybridEncoder rle =
          new RunLengthBitPackingHybridEncoder(width, 64, 1024, new HeapByteBufferAllocator());
      for (int[] level : levels) {
        rle.writeInt(level[which]);
      }
      BytesInput data = rle.toBytes();
      return BytesInput.concat(BytesInput.fromInt((int) data.size()), data);
    }
    ByteBitPackingValuesWriter packed = new ByteBitPackingValuesWriter(max, Packer.BIG_ENDIAN);
    for (int[] level : levels) {
      packed.writeInteger(level[which]);
    }
    return BytesInput.copy(packed.getBytes());
  }

  private static BytesInput floats(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return BytesInput.from(b.array());
  }

  @Test
  void aBatchStillOpenKeepsItsValuesWhileTheNextIsRead() throws IOException {
    Path file = sparkFile("open", false, Map.of("parquet.enable.dictionary", "false"));
    List<List<Object>> expected = expected(file);
    String name = file.toUri().toString();
    try (ListColumnReader reader = reader();
        OnHeapColumnVector files = new OnHeapColumnVector(2, DataTypes.StringType);
        OnHeapColumnVector index = new OnHeapColumnVector(2, DataTypes.LongType)) {
      byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
      files.putByteArray(0, bytes);
      files.putByteArray(1, bytes);
      index.putLong(0, 20);
      index.putLong(1, 21);
      try (ListVector first = reader.read(files, index, 2, "a", allocator)) {
        index.putLong(0, 30);
        index.putLong(1, 31);
        try (ListVector second = reader.read(files, index, 2, "b", allocator)) {
          assertThat(first.getObject(0)).isEqualTo(expected.get(20));
          assertThat(first.getObject(1)).isEqualTo(expected.get(21));
          assertThat(second.getObject(1)).isEqualTo(expected.get(31));
        }
      }
    }
  }

  @Test
  void aFileWithoutTheColumnGivesNullLists() throws IOException {
    Path dir = tmp.resolve("without");
    spark
        .createDataFrame(
            List.of(RowFactory.create(1), RowFactory.create(2), RowFactory.create(3)),
            new StructType().add("id", DataTypes.IntegerType))
        .coalesce(1)
        .write()
        .parquet(dir.toString());
    String name = Shards.onlyFile(dir).toUri().toString();
    try (ListColumnReader reader = reader()) {
      assertThat(read(reader, name, 1, 2)).containsExactly(null, null);
    }
  }

  @Test
  void aColumnThatIsNotAListOfNumbersFailsAsSparksReadErrorNamingTheFile() {
    Path dir = tmp.resolve("strings");
    spark
        .createDataFrame(
            List.<Row>of(RowFactory.create(1, List.of("a"))),
            new StructType()
                .add("id", DataTypes.IntegerType)
                .add("token_logprobs", DataTypes.createArrayType(DataTypes.StringType)))
        .coalesce(1)
        .write()
        .parquet(dir.toString());
    String name = Shards.onlyFile(dir).toUri().toString();
    Throwable error;
    try (ListColumnReader reader = reader()) {
      error = catchThrowable(() -> read(reader, name, 0, 1));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    assertReadFailure(error, name, "holds BINARY, not FLOAT or DOUBLE");
  }

  @Test
  void damageInsideTheColumnsPagesFailsAsSparksReadErrorNamingTheFile() throws IOException {
    Path file = sparkFile("damaged", false, Map.of("parquet.enable.dictionary", "false"));
    Shards.corruptColumnChunk(file, "token_logprobs");
    String name = file.toUri().toString();
    Throwable error;
    try (ListColumnReader reader = reader()) {
      error = catchThrowable(() -> read(reader, name, 0, 10));
    }
    assertReadFailure(error, name, null);
  }

  private static void assertReadFailure(Throwable error, String file, String cause) {
    assertThat(error).isInstanceOf(SparkThrowable.class);
    SparkThrowable spark = (SparkThrowable) error;
    assertThat(spark.getCondition()).startsWith("FAILED_READ_FILE");
    assertThat(spark.getMessageParameters()).containsEntry("path", file);
    if (cause != null) {
      assertThat(error.getCause()).hasMessageContaining(cause);
    }
  }

  private static int rowGroups(Path file) {
    return Shards.groupRows(file).length;
  }
}
