package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.LocalSparkTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.vectorized.Dictionary;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Arrow views of Spark column vectors laid out as Spark's Parquet reader lays them out: rows as
 * (offset, length) over a child buffer, with placeholder slots left by empty and null lists.
 */
class ArrowViewsTest extends LocalSparkTest {
  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() {
    allocator.close();
  }

  /**
   * A float list column from rows given as (offset, length) into {@code values}; a null row is
   * null.
   */
  private static OffHeapColumnVector floatLists(float[] values, int[][] rows) {
    OffHeapColumnVector column =
        new OffHeapColumnVector(rows.length, DataTypes.createArrayType(DataTypes.FloatType));
    WritableColumnVector child = column.arrayData();
    child.reserve(values.length);
    for (int i = 0; i < values.length; i++) {
      if (Float.isNaN(values[i]) && Float.floatToRawIntBits(values[i]) == 0x7fc00001) {
        child.putNull(i);
      } else {
        child.putFloat(i, values[i]);
      }
    }
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null) {
        column.putNull(r);
      } else {
        column.putArray(r, rows[r][0], rows[r][1]);
      }
    }
    return column;
  }

  private static float[] values(ListVector list, int row) {
    Float4Vector child = (Float4Vector) list.getDataVector();
    int start = list.getElementStartIndex(row);
    int end = list.getElementEndIndex(row);
    float[] out = new float[end - start];
    for (int i = start; i < end; i++) {
      out[i - start] = child.get(i);
    }
    return out;
  }

  @Test
  void contiguousRowsBecomeAListOfTheSameValues() {
    float[] data = {-1, -2, -3, -4, -5, -6};
    try (OffHeapColumnVector column = floatLists(data, new int[][] {{0, 2}, {2, 3}, {5, 1}});
        ListVector list = ArrowViews.floatingList(column, 3, "token_logprobs", allocator)) {
      assertThat(list.getValueCount()).isEqualTo(3);
      assertThat(values(list, 0)).containsExactly(-1f, -2f);
      assertThat(values(list, 1)).containsExactly(-3f, -4f, -5f);
      assertThat(values(list, 2)).containsExactly(-6f);
      assertThat(list.getDataVector().getNullCount()).isZero();
    }
  }

  @Test
  void rowsThatStartPastTheBufferStartAreViewedFromThere() {
    float[] data = {99, -1, -2, -3};
    try (OffHeapColumnVector column = floatLists(data, new int[][] {{1, 2}, {3, 1}});
        ListVector list = ArrowViews.floatingList(column, 2, "token_logprobs", allocator)) {
      assertThat(values(list, 0)).containsExactly(-1f, -2f);
      assertThat(values(list, 1)).containsExactly(-3f);
    }
  }

  @Test
  void placeholderSlotsOfEmptyAndNullListsAreLeftOut() {
    // As the reader writes them: row 1 (empty) and row 2 (null) leave slots 2 and 3 behind.
    float[] placeholder = {Float.intBitsToFloat(0x7fc00001)};
    float[] data = {-1, -2, placeholder[0], placeholder[0], -5, -6, -7};
    try (OffHeapColumnVector column =
            floatLists(data, new int[][] {{0, 2}, {2, 0}, null, {4, 3}, {7, 0}});
        ListVector list = ArrowViews.floatingList(column, 5, "token_logprobs", allocator)) {
      assertThat(values(list, 0)).containsExactly(-1f, -2f);
      assertThat(list.isNull(1)).isFalse();
      assertThat(values(list, 1)).isEmpty();
      assertThat(list.isNull(2)).isTrue();
      assertThat(values(list, 3)).containsExactly(-5f, -6f, -7f);
      assertThat(values(list, 4)).isEmpty();
      assertThat(list.getDataVector().getValueCount()).isEqualTo(5);
      assertThat(list.getDataVector().getNullCount()).isZero();
    }
  }

  @Test
  void aNullElementInsideARowStaysNullAtItsPlace() {
    float nul = Float.intBitsToFloat(0x7fc00001);
    float[] data = {-1, nul, -3, nul, -5};
    try (OffHeapColumnVector column = floatLists(data, new int[][] {{0, 3}, {4, 1}});
        ListVector list = ArrowViews.floatingList(column, 2, "token_logprobs", allocator)) {
      Float4Vector child = (Float4Vector) list.getDataVector();
      assertThat(child.getValueCount()).isEqualTo(4);
      assertThat(child.isNull(0)).isFalse();
      assertThat(child.isNull(1)).isTrue();
      assertThat(child.get(2)).isEqualTo(-3f);
      assertThat(child.get(3)).isEqualTo(-5f);
      assertThat(child.getNullCount()).isEqualTo(1);
    }
  }

  @Test
  void doubleListsBecomeFloat8Children() {
    try (OffHeapColumnVector column =
        new OffHeapColumnVector(2, DataTypes.createArrayType(DataTypes.DoubleType))) {
      column.arrayData().reserve(3);
      column.arrayData().putDouble(0, -0.5);
      column.arrayData().putDouble(1, -1.5);
      column.arrayData().putDouble(2, -2.5);
      column.putArray(0, 0, 1);
      column.putArray(1, 1, 2);
      try (ListVector list = ArrowViews.floatingList(column, 2, "token_logprobs", allocator)) {
        Float8Vector child = (Float8Vector) list.getDataVector();
        assertThat(child.get(list.getElementStartIndex(1))).isEqualTo(-1.5);
        assertThat(child.get(list.getElementStartIndex(1) + 1)).isEqualTo(-2.5);
      }
    }
  }

  @Test
  void stringsWithNullsAndGapsKeepTheirBytes() {
    try (OffHeapColumnVector column = new OffHeapColumnVector(4, DataTypes.StringType)) {
      byte[] a = "héllo".getBytes(StandardCharsets.UTF_8);
      byte[] b = "日本語 😀".getBytes(StandardCharsets.UTF_8);
      column.putByteArray(0, a);
      column.putNull(1);
      column.putByteArray(2, new byte[0]);
      column.putByteArray(3, b);
      try (VarCharVector text = ArrowViews.utf8(column, 4, "text", allocator)) {
        assertThat(new String(text.get(0), StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThat(text.isNull(1)).isTrue();
        assertThat(text.get(2)).isEmpty();
        assertThat(new String(text.get(3), StandardCharsets.UTF_8)).isEqualTo("日本語 😀");
      }
    }
  }

  @Test
  void onHeapVectorsAreRefusedWithTheSettingToChange() {
    try (OnHeapColumnVector column =
        new OnHeapColumnVector(1, DataTypes.createArrayType(DataTypes.FloatType))) {
      column.arrayData().reserve(1);
      column.arrayData().putFloat(0, -1f);
      column.putArray(0, 0, 1);
      assertThatThrownBy(() -> ArrowViews.floatingList(column, 1, "token_logprobs", allocator))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("spark.sql.columnVector.offheap.enabled=true");
    }
  }

  @Test
  void otherElementTypesAreRefusedNamingTheColumn() {
    try (OffHeapColumnVector column =
        new OffHeapColumnVector(1, DataTypes.createArrayType(DataTypes.IntegerType))) {
      assertThatThrownBy(() -> ArrowViews.floatingList(column, 1, "token_logprobs", allocator))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid column token_logprobs: array<int> (must be array<float> or array<double>)");
    }
  }

  /** A Parquet dictionary page: id {@code i} decodes to {@code numbers[i]} or {@code bytes[i]}. */
  private record Page(double[] numbers, byte[][] bytes) implements Dictionary {
    @Override
    public int decodeToInt(int id) {
      return (int) numbers[id];
    }

    @Override
    public long decodeToLong(int id) {
      return (long) numbers[id];
    }

    @Override
    public float decodeToFloat(int id) {
      return (float) numbers[id];
    }

    @Override
    public double decodeToDouble(int id) {
      return numbers[id];
    }

    @Override
    public byte[] decodeToBinary(int id) {
      return bytes[id];
    }
  }

  /** Puts {@code numbers} into a column of numbers by its type; a null number is a null slot. */
  private static void fill(WritableColumnVector values, Number... numbers) {
    values.reserve(numbers.length);
    DataType type = values.dataType();
    for (int i = 0; i < numbers.length; i++) {
      if (numbers[i] == null) {
        values.putNull(i);
      } else if (type.equals(DataTypes.FloatType)) {
        values.putFloat(i, numbers[i].floatValue());
      } else if (type.equals(DataTypes.DoubleType)) {
        values.putDouble(i, numbers[i].doubleValue());
      } else if (type.equals(DataTypes.IntegerType)) {
        values.putInt(i, numbers[i].intValue());
      } else {
        values.putLong(i, numbers[i].longValue());
      }
    }
  }

  /** Puts lists given as (offset, length) into a list column; a null list is null. */
  private static void putLists(WritableColumnVector column, int[][] lists) {
    column.reserve(lists.length);
    for (int i = 0; i < lists.length; i++) {
      if (lists[i] == null) {
        column.putNull(i);
      } else {
        column.putArray(i, lists[i][0], lists[i][1]);
      }
    }
  }

  /** A list column of {@code element} with {@code rows} as (offset, length) into {@code values}. */
  private static OffHeapColumnVector lists(DataType element, Number[] values, int[][] rows) {
    OffHeapColumnVector column =
        new OffHeapColumnVector(rows.length, DataTypes.createArrayType(element));
    fill(column.arrayData(), values);
    putLists(column, rows);
    return column;
  }

  /**
   * A list of lists column: {@code rows} as (offset, length) into the inner lists, {@code inner} as
   * (offset, length) into {@code values}.
   */
  private static OffHeapColumnVector nested(
      DataType element, Number[] values, int[][] inner, int[][] rows) {
    OffHeapColumnVector column =
        new OffHeapColumnVector(
            rows.length, DataTypes.createArrayType(DataTypes.createArrayType(element)));
    fill(column.arrayData().arrayData(), values);
    putLists(column.arrayData(), inner);
    putLists(column, rows);
    return column;
  }

  /** The address of slot {@code slot} in Spark's buffer of {@code values}. */
  private static long spark(WritableColumnVector values, int slot, int width) {
    return ((OffHeapColumnVector) values).valuesNativeAddress() + (long) slot * width;
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @Test
  void binaryRowsWithNullsAndEmptiesAreAViewOfSparksBytes() {
    try (OffHeapColumnVector column = new OffHeapColumnVector(4, DataTypes.BinaryType)) {
      column.putByteArray(0, bytes(1, 2, 0xff));
      column.putByteArray(1, new byte[0]);
      column.putNull(2);
      column.putByteArray(3, bytes(0, 7));
      try (VarBinaryVector binary = ArrowViews.binary(column, 4, "target_ids", allocator)) {
        assertThat(binary.getValueCount()).isEqualTo(4);
        assertThat(binary.get(0)).containsExactly(1, 2, 0xff);
        assertThat(binary.isNull(1)).isFalse();
        assertThat(binary.get(1)).isEmpty();
        assertThat(binary.isNull(2)).isTrue();
        assertThat(binary.get(3)).containsExactly(0, 7);
        assertThat(binary.getNullCount()).isEqualTo(1);
        assertThat(binary.getDataBuffer().memoryAddress())
            .isEqualTo(spark(column.arrayData(), 0, 1));
      }
    }
  }

  @Test
  void binaryRowsWithGapsAreCompacted() {
    try (OffHeapColumnVector column = new OffHeapColumnVector(3, DataTypes.BinaryType)) {
      column.arrayData().reserve(7);
      column.arrayData().putBytes(0, 7, bytes(1, 2, 99, 3, 4, 5, 99), 0);
      column.putArray(0, 0, 2);
      column.putArray(1, 3, 3);
      column.putNull(2);
      try (VarBinaryVector binary = ArrowViews.binary(column, 3, "target_ids", allocator)) {
        assertThat(binary.get(0)).containsExactly(1, 2);
        assertThat(binary.get(1)).containsExactly(3, 4, 5);
        assertThat(binary.isNull(2)).isTrue();
        assertThat(binary.getDataBuffer().memoryAddress())
            .isNotEqualTo(spark(column.arrayData(), 0, 1));
      }
    }
  }

  @Test
  void dictionaryEncodedBinaryIsDecodedRowByRow() {
    try (OffHeapColumnVector column = new OffHeapColumnVector(3, DataTypes.BinaryType)) {
      column.setDictionary(new Page(new double[0], new byte[][] {bytes(5, 6), bytes(7)}));
      WritableColumnVector ids = column.reserveDictionaryIds(3);
      ids.putInt(0, 1);
      column.putNull(1);
      ids.putInt(2, 0);
      try (VarBinaryVector binary = ArrowViews.binary(column, 3, "target_ids", allocator)) {
        assertThat(binary.get(0)).containsExactly(7);
        assertThat(binary.isNull(1)).isTrue();
        assertThat(binary.get(2)).containsExactly(5, 6);
      }
    }
  }

  @Test
  void contiguousIntListsAreAViewOfSparksInts() {
    Number[] data = {1, 2, 3, 4, 5, 6};
    try (OffHeapColumnVector column =
            lists(DataTypes.IntegerType, data, new int[][] {{0, 2}, {2, 3}, {5, 1}});
        ListVector list = ArrowViews.intList(column, 3, "target_ids", allocator)) {
      assertThat(list.getDataVector()).isInstanceOf(IntVector.class);
      assertThat(list.getObject(0)).isEqualTo(List.of(1, 2));
      assertThat(list.getObject(1)).isEqualTo(List.of(3, 4, 5));
      assertThat(list.getObject(2)).isEqualTo(List.of(6));
      assertThat(list.getDataVector().getNullCount()).isZero();
      assertThat(list.getDataVector().getDataBuffer().memoryAddress())
          .isEqualTo(spark(column.arrayData(), 0, Integer.BYTES));
    }
  }

  @Test
  void bigintListsWithPlaceholdersNullRowsAndNullElementsAreCompacted() {
    // Row 0 holds a null element; row 1 (empty) and row 2 (null) leave slots 3 and 4 behind.
    Number[] data = {10L, null, 30L, null, null, 40L, 50L};
    try (OffHeapColumnVector column =
            lists(DataTypes.LongType, data, new int[][] {{0, 3}, {3, 0}, null, {5, 2}, {7, 0}});
        ListVector list = ArrowViews.intList(column, 5, "top_logprobs_ids", allocator)) {
      BigIntVector child = (BigIntVector) list.getDataVector();
      assertThat(list.getObject(0)).isEqualTo(Arrays.asList(10L, null, 30L));
      assertThat(list.isNull(1)).isFalse();
      assertThat(list.getObject(1)).isEqualTo(List.of());
      assertThat(list.isNull(2)).isTrue();
      assertThat(list.getObject(3)).isEqualTo(List.of(40L, 50L));
      assertThat(list.getObject(4)).isEqualTo(List.of());
      assertThat(list.getNullCount()).isEqualTo(1);
      assertThat(child.getValueCount()).isEqualTo(5);
      assertThat(child.getNullCount()).isEqualTo(1);
      assertThat(child.getDataBuffer().memoryAddress())
          .isNotEqualTo(spark(column.arrayData(), 0, Long.BYTES));
    }
  }

  @Test
  void dictionaryEncodedIntListsAreDecodedElementByElement() {
    try (OffHeapColumnVector column =
        new OffHeapColumnVector(3, DataTypes.createArrayType(DataTypes.IntegerType))) {
      WritableColumnVector values = column.arrayData();
      values.reserve(5);
      values.setDictionary(new Page(new double[] {7, 11, 13}, null));
      WritableColumnVector ids = values.reserveDictionaryIds(5);
      ids.putInt(0, 2);
      ids.putInt(1, 0);
      values.putNull(2); // the null row's placeholder
      values.putNull(3);
      ids.putInt(4, 1);
      putLists(column, new int[][] {{0, 2}, null, {3, 2}});
      try (ListVector list = ArrowViews.intList(column, 3, "target_ids", allocator)) {
        assertThat(list.getObject(0)).isEqualTo(List.of(13, 7));
        assertThat(list.isNull(1)).isTrue();
        assertThat(list.getObject(2)).isEqualTo(Arrays.asList(null, 11));
      }
    }
  }

  @Test
  void otherIntListElementTypesAreRefusedNamingTheColumn() {
    try (OffHeapColumnVector floats =
            new OffHeapColumnVector(1, DataTypes.createArrayType(DataTypes.FloatType));
        OffHeapColumnVector ints = new OffHeapColumnVector(1, DataTypes.IntegerType)) {
      assertThatThrownBy(() -> ArrowViews.intList(floats, 1, "target_ids", allocator))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid column target_ids: array<float> (must be array<int> or array<bigint>)");
      assertThatThrownBy(() -> ArrowViews.intList(ints, 1, "target_ids", allocator))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid column target_ids: int (must be array<int> or array<bigint>)");
    }
  }

  @Test
  void contiguousNestedListsAreAViewOfSparksFloats() {
    Number[] data = {-1, -2, -3, -4};
    try (OffHeapColumnVector column =
            nested(
                DataTypes.FloatType,
                data,
                new int[][] {{0, 2}, {2, 1}, {3, 1}},
                new int[][] {{0, 2}, {2, 1}});
        ListVector list = ArrowViews.nestedFloatingList(column, 2, "logits", allocator)) {
      ListVector inner = (ListVector) list.getDataVector();
      assertThat(inner.getDataVector()).isInstanceOf(Float4Vector.class);
      assertThat(list.getObject(0)).isEqualTo(List.of(List.of(-1f, -2f), List.of(-3f)));
      assertThat(list.getObject(1)).isEqualTo(List.of(List.of(-4f)));
      assertThat(inner.getValueCount()).isEqualTo(3);
      assertThat(inner.getDataVector().getValueCount()).isEqualTo(4);
      assertThat(inner.getDataVector().getDataBuffer().memoryAddress())
          .isEqualTo(spark(column.arrayData().arrayData(), 0, Float.BYTES));
    }
  }

  @Test
  void nestedPlaceholdersAtBothLevelsAndNullsAtEveryLevelAreLeftOut() {
    // As the reader assembles [[1,2],[3]], null, [], [null,[],[4,null]], [[5]]: the null and the
    // empty row leave inner slots 2 and 3 and value slots 3 and 4; the null and the empty inner
    // list leave value slots 5 and 6.
    Number[] data = {1, 2, 3, null, null, null, null, 4, null, 5};
    int[][] inner = {{0, 2}, {2, 1}, null, null, null, {7, 0}, {7, 2}, {9, 1}};
    int[][] rows = {{0, 2}, null, {4, 0}, {4, 3}, {7, 1}};
    try (OffHeapColumnVector column = nested(DataTypes.FloatType, data, inner, rows);
        ListVector list = ArrowViews.nestedFloatingList(column, 5, "logits", allocator)) {
      ListVector lists = (ListVector) list.getDataVector();
      Float4Vector values = (Float4Vector) lists.getDataVector();
      assertThat(list.getObject(0)).isEqualTo(List.of(List.of(1f, 2f), List.of(3f)));
      assertThat(list.isNull(1)).isTrue();
      assertThat(list.isNull(2)).isFalse();
      assertThat(list.getObject(2)).isEqualTo(List.of());
      assertThat(list.getObject(3))
          .isEqualTo(Arrays.asList(null, List.of(), Arrays.asList(4f, null)));
      assertThat(list.getObject(4)).isEqualTo(List.of(List.of(5f)));
      assertThat(list.getNullCount()).isEqualTo(1);
      assertThat(lists.getValueCount()).isEqualTo(6);
      assertThat(lists.getNullCount()).isEqualTo(1);
      assertThat(values.getValueCount()).isEqualTo(6);
      assertThat(values.getNullCount()).isEqualTo(1);
      assertThat(values.getDataBuffer().memoryAddress())
          .isNotEqualTo(spark(column.arrayData().arrayData(), 0, Float.BYTES));
    }
  }

  @Test
  void nestedDoubleListsBecomeListsOfFloat8() {
    // [[-0.5], []], [[-1.5, -2.5]]: the empty inner list leaves value slot 1 behind.
    Number[] data = {-0.5, null, -1.5, -2.5};
    try (OffHeapColumnVector column =
            nested(
                DataTypes.DoubleType,
                data,
                new int[][] {{0, 1}, {2, 0}, {2, 2}},
                new int[][] {{0, 2}, {2, 1}});
        ListVector list = ArrowViews.nestedFloatingList(column, 2, "logits", allocator)) {
      ListVector lists = (ListVector) list.getDataVector();
      assertThat(lists.getDataVector()).isInstanceOf(Float8Vector.class);
      assertThat(list.getObject(0)).isEqualTo(List.of(List.of(-0.5), List.of()));
      assertThat(list.getObject(1)).isEqualTo(List.of(List.of(-1.5, -2.5)));
      assertThat(lists.getDataVector().getValueCount()).isEqualTo(3);
      assertThat(lists.getDataVector().getNullCount()).isZero();
    }
  }

  @Test
  void dictionaryEncodedNestedFloatsAreDecodedElementByElement() {
    try (OffHeapColumnVector column =
        new OffHeapColumnVector(
            2, DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)))) {
      WritableColumnVector values = column.arrayData().arrayData();
      values.reserve(4);
      values.setDictionary(new Page(new double[] {-0.25, -4}, null));
      WritableColumnVector ids = values.reserveDictionaryIds(4);
      ids.putInt(0, 1);
      ids.putInt(1, 0);
      values.putNull(2);
      ids.putInt(3, 1);
      putLists(column.arrayData(), new int[][] {{0, 2}, {2, 2}});
      putLists(column, new int[][] {{0, 1}, {1, 1}});
      try (ListVector list = ArrowViews.nestedFloatingList(column, 2, "logits", allocator)) {
        assertThat(list.getObject(0)).isEqualTo(List.of(List.of(-4f, -0.25f)));
        assertThat(list.getObject(1)).isEqualTo(List.of(Arrays.asList(null, -4f)));
      }
    }
  }

  @Test
  void otherNestedElementTypesAreRefusedNamingTheColumn() {
    try (OffHeapColumnVector ints =
            new OffHeapColumnVector(
                1, DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType)));
        OffHeapColumnVector flat =
            new OffHeapColumnVector(1, DataTypes.createArrayType(DataTypes.FloatType))) {
      assertThatThrownBy(() -> ArrowViews.nestedFloatingList(ints, 1, "logits", allocator))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid column logits: array<array<int>>"
                  + " (must be array<array<float>> or array<array<double>>)");
      assertThatThrownBy(() -> ArrowViews.nestedFloatingList(flat, 1, "logits", allocator))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid column logits: array<float>"
                  + " (must be array<array<float>> or array<array<double>>)");
    }
  }

  private static Object seq(Object... items) {
    return CollectionConverters.asScala(Arrays.asList(items)).toSeq();
  }

  @Test
  void nestedListsReadBySparksVectorizedReaderComeBackAsWritten(@TempDir Path tmp) {
    ShardScan.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
    StructType schema =
        new StructType()
            .add(
                "logits",
                DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)));
    List<Row> rows =
        List.of(
            RowFactory.create(seq(seq(1f, 2f), seq(3f))),
            RowFactory.create((Object) null),
            RowFactory.create(seq()),
            RowFactory.create(seq(null, seq(), seq(4f, null))),
            RowFactory.create(seq(seq(5f))));
    String path = tmp.resolve("logits").toString();
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path);
    FileSourceScanExec scan =
        (FileSourceScanExec)
            spark.read().parquet(path).queryExecution().executedPlan().collectLeaves().head();
    assertThat(scan.supportsColumnar()).isTrue();
    List<String> read =
        scan.executeColumnar()
            .toJavaRDD()
            .flatMap(
                batch -> {
                  List<String> out = new ArrayList<>();
                  try (BufferAllocator local = new RootAllocator();
                      ListVector list =
                          ArrowViews.nestedFloatingList(
                              (WritableColumnVector) batch.column(0),
                              batch.numRows(),
                              "logits",
                              local)) {
                    for (int row = 0; row < batch.numRows(); row++) {
                      out.add(String.valueOf(list.getObject(row)));
                    }
                  }
                  return out.iterator();
                })
            .collect();
    assertThat(read)
        .containsExactly("[[1.0,2.0],[3.0]]", "null", "[]", "[null,[],[4.0,null]]", "[[5.0]]");
  }
}
