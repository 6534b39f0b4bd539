package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Arrow views of Spark column vectors laid out as Spark's Parquet reader lays them out: rows as
 * (offset, length) over a child buffer, with placeholder slots left by empty and null lists.
 */
class ArrowViewsTest {
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
}
