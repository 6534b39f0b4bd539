package dev.softmetrics.job.io;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Arrow vectors over the columns of a batch from Spark's vectorized Parquet reader, with bulk
 * copies at most.
 *
 * <p>Spark's off-heap vectors keep a variable-width column as (offset, length) per row over one
 * child buffer. Within a batch the rows usually follow each other without gaps; then the Arrow
 * vector is a zero-copy view of Spark's buffer. Empty and null lists leave placeholder slots in
 * Spark's child, which Arrow's offsets cannot express; such a batch is compacted with one memory
 * copy per run of adjacent rows. A list of lists is laid out the same way one level down: the inner
 * lists that the rows use are themselves rows over the values' buffer.
 *
 * <p>The vectors returned own only the small buffers allocated here (validity, offsets, compacted
 * data); a zero-copy data buffer stays Spark's. Close the vector before the reader moves to its
 * next batch.
 */
public final class ArrowViews {
  private ArrowViews() {}

  /** A list of float or double column as an Arrow {@link ListVector} of Float4 or Float8. */
  public static ListVector floatingList(
      WritableColumnVector column, int rows, String name, BufferAllocator allocator) {
    Element element = Element.of(column.dataType(), 1, name, Element.FLOAT, Element.DOUBLE);
    return list(column, rows, name, allocator, element);
  }

  /** A list of int or bigint column as an Arrow {@link ListVector} of Int or BigInt. */
  public static ListVector intList(
      WritableColumnVector column, int rows, String name, BufferAllocator allocator) {
    Element element = Element.of(column.dataType(), 1, name, Element.INT, Element.BIGINT);
    return list(column, rows, name, allocator, element);
  }

  /**
   * A list of lists of float or double column as an Arrow {@link ListVector} of {@link ListVector}
   * of Float4 or Float8.
   */
  public static ListVector nestedFloatingList(
      WritableColumnVector column, int rows, String name, BufferAllocator allocator) {
    Element element = Element.of(column.dataType(), 2, name, Element.FLOAT, Element.DOUBLE);
    ListVector list = ListVector.empty(name, allocator);
    list.addOrGetVector(FieldType.nullable(ArrowType.List.INSTANCE));
    ListVector inner = (ListVector) list.getDataVector();
    inner.addOrGetVector(FieldType.nullable(element.arrow));
    FieldVector child = inner.getDataVector();
    WritableColumnVector lists = column.arrayData();
    WritableColumnVector values = lists.arrayData();
    Layout outer = Layout.of(column, rows);
    Layout layout = outer.children(lists);
    try (ArrowBuf validity = outer.validity(allocator);
        ArrowBuf offsets = outer.offsets(allocator);
        ArrowBuf innerValidity = layout.validity(allocator);
        ArrowBuf innerOffsets = layout.offsets(allocator);
        ArrowBuf data = layout.elementData(values, element, allocator);
        ArrowBuf elementValidity = layout.elementValidity(values, allocator)) {
      list.loadFieldBuffers(new ArrowFieldNode(rows, outer.nullRows), List.of(validity, offsets));
      inner.loadFieldBuffers(
          new ArrowFieldNode(layout.rows, layout.nullRows), List.of(innerValidity, innerOffsets));
      child.loadFieldBuffers(
          new ArrowFieldNode(layout.elements, layout.nullElements), List.of(elementValidity, data));
      return list;
    } catch (RuntimeException e) {
      list.close();
      throw e;
    }
  }

  /** A string column as an Arrow {@link VarCharVector} of the same UTF-8 bytes. */
  public static VarCharVector utf8(
      WritableColumnVector column, int rows, String name, BufferAllocator allocator) {
    return variableWidth(new VarCharVector(name, allocator), column, rows, allocator);
  }

  /** A binary column as an Arrow {@link VarBinaryVector} of the same bytes. */
  public static VarBinaryVector binary(
      WritableColumnVector column, int rows, String name, BufferAllocator allocator) {
    return variableWidth(new VarBinaryVector(name, allocator), column, rows, allocator);
  }

  private static ListVector list(
      WritableColumnVector column,
      int rows,
      String name,
      BufferAllocator allocator,
      Element element) {
    ListVector list = ListVector.empty(name, allocator);
    list.addOrGetVector(FieldType.nullable(element.arrow));
    FieldVector child = list.getDataVector();
    WritableColumnVector values = column.arrayData();
    Layout layout = Layout.of(column, rows);
    try (ArrowBuf validity = layout.validity(allocator);
        ArrowBuf offsets = layout.offsets(allocator);
        ArrowBuf data = layout.elementData(values, element, allocator);
        ArrowBuf elementValidity = layout.elementValidity(values, allocator)) {
      list.loadFieldBuffers(new ArrowFieldNode(rows, layout.nullRows), List.of(validity, offsets));
      child.loadFieldBuffers(
          new ArrowFieldNode(layout.elements, layout.nullElements), List.of(elementValidity, data));
      return list;
    } catch (RuntimeException e) {
      list.close();
      throw e;
    }
  }

  private static <V extends BaseVariableWidthVector> V variableWidth(
      V vector, WritableColumnVector column, int rows, BufferAllocator allocator) {
    Layout layout = Layout.of(column, rows);
    try (ArrowBuf validity = layout.validity(allocator);
        ArrowBuf offsets = layout.offsets(allocator);
        ArrowBuf data = layout.byteData(column, allocator)) {
      vector.loadFieldBuffers(
          new ArrowFieldNode(rows, layout.nullRows), List.of(validity, offsets, data));
      return vector;
    } catch (RuntimeException e) {
      vector.close();
      throw e;
    }
  }

  /**
   * The validity buffer of {@code rows} slots, of which those with {@code isNull} set are null
   * ({@code nulls} of them): Arrow's empty buffer when there are none, which Arrow reads as all
   * valid.
   */
  static ArrowBuf validity(boolean[] isNull, int rows, int nulls, BufferAllocator allocator) {
    if (nulls == 0) {
      return allocator.getEmpty();
    }
    ArrowBuf buf = allocator.buffer(BitVectorHelper.getValidityBufferSize(rows));
    buf.setZero(0, buf.capacity());
    for (int row = 0; row < rows; row++) {
      if (!isNull[row]) {
        BitVectorHelper.setBit(buf, row);
      }
    }
    return buf;
  }

  /** The offsets buffer of {@code rows} lists: {@code offsets[0 .. rows]}. */
  static ArrowBuf offsets(int[] offsets, int rows, BufferAllocator allocator) {
    ArrowBuf buf = allocator.buffer((long) (rows + 1) * Integer.BYTES);
    for (int i = 0; i <= rows; i++) {
      buf.setInt((long) i * Integer.BYTES, offsets[i]);
    }
    return buf;
  }

  private static long address(WritableColumnVector vector) {
    if (vector instanceof OffHeapColumnVector offHeap) {
      return offHeap.valuesNativeAddress();
    }
    throw new IllegalStateException(
        "Cannot view "
            + vector.getClass().getSimpleName()
            + " as Arrow: the reader must produce off-heap vectors"
            + " (spark.sql.columnVector.offheap.enabled=true, which the job sets)");
  }

  /** The fixed-width element types of the list views, as Spark and Arrow name them. */
  private enum Element {
    FLOAT(
        DataTypes.FloatType,
        new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE),
        Float.BYTES),
    DOUBLE(
        DataTypes.DoubleType,
        new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE),
        Double.BYTES),
    INT(DataTypes.IntegerType, new ArrowType.Int(32, true), Integer.BYTES),
    BIGINT(DataTypes.LongType, new ArrowType.Int(64, true), Long.BYTES);

    final DataType spark;
    final ArrowType arrow;
    final int width;

    Element(DataType spark, ArrowType arrow, int width) {
      this.spark = spark;
      this.arrow = arrow;
      this.width = width;
    }

    /**
     * The element type of a column of lists nested {@code depth} deep, which must be one of {@code
     * allowed}.
     */
    static Element of(DataType type, int depth, String name, Element... allowed) {
      DataType element = type;
      for (int level = 0; level < depth && element != null; level++) {
        element = element instanceof ArrayType array ? array.elementType() : null;
      }
      for (Element candidate : allowed) {
        if (candidate.spark.equals(element)) {
          return candidate;
        }
      }
      String[] wanted = new String[allowed.length];
      for (int i = 0; i < allowed.length; i++) {
        wanted[i] = "array<".repeat(depth) + allowed[i].spark.simpleString() + ">".repeat(depth);
      }
      throw new IllegalArgumentException(
          String.format(
              "Invalid column %s: %s (must be %s)",
              name, type.simpleString(), String.join(" or ", wanted)));
    }

    /** Writes Spark's value at {@code i}, decoded through its dictionary, at byte {@code at}. */
    void decode(WritableColumnVector values, int i, ArrowBuf buf, long at) {
      switch (this) {
        case FLOAT -> buf.setFloat(at, values.getFloat(i));
        case DOUBLE -> buf.setDouble(at, values.getDouble(i));
        case INT -> buf.setInt(at, values.getInt(i));
        case BIGINT -> buf.setLong(at, values.getLong(i));
      }
    }
  }

  /**
   * Where each row's values lie in Spark's child buffer, as runs of adjacent rows, and the Arrow
   * offsets they get once the runs are packed one after the other.
   *
   * <p>The rows are slots of a Spark column taken range after range: {@code 0 .. rows - 1} of a
   * batch's column, or, one level down in a list of lists, the inner-list slots that the outer
   * layout's runs cover.
   */
  private static final class Layout {
    final int rows;
    final boolean[] nullRow;
    final int[] arrowOffsets;
    final int[] runStart;
    final int[] runLength;
    int runs;
    int nullRows;
    int elements;
    int nullElements;

    /** A dictionary-encoded string column's values, decoded once; null otherwise. */
    final byte[][] decoded;

    private int added;
    private int runEnd = -1;

    private Layout(int rows, boolean dictionary) {
      this.rows = rows;
      this.nullRow = new boolean[rows];
      this.arrowOffsets = new int[rows + 1];
      this.runStart = new int[rows];
      this.runLength = new int[rows];
      this.decoded = dictionary ? new byte[rows][] : null;
    }

    /** The layout of rows {@code 0 .. rows - 1} of a column. */
    static Layout of(WritableColumnVector column, int rows) {
      return over(column, new int[] {0}, new int[] {rows}, 1);
    }

    /** The layout of the child slots this layout's runs cover, in packed order, as rows. */
    Layout children(WritableColumnVector child) {
      return over(child, runStart, runLength, runs);
    }

    /** The layout of slots {@code start[r] .. start[r] + length[r] - 1}, for each range in turn. */
    private static Layout over(WritableColumnVector column, int[] start, int[] length, int ranges) {
      int rows = 0;
      for (int range = 0; range < ranges; range++) {
        rows += length[range];
      }
      Layout layout = new Layout(rows, column.hasDictionary());
      for (int range = 0; range < ranges; range++) {
        int end = start[range] + length[range];
        for (int slot = start[range]; slot < end; slot++) {
          layout.add(column, slot);
        }
      }
      layout.arrowOffsets[rows] = layout.elements;
      return layout;
    }

    /**
     * Adds slot {@code slot} of the column as the next row. A dictionary-encoded string column
     * takes its length from the decoded value and has no runs.
     */
    private void add(WritableColumnVector column, int slot) {
      int row = added++;
      arrowOffsets[row] = elements;
      if (column.isNullAt(slot)) {
        nullRow[row] = true;
        nullRows++;
        return;
      }
      if (decoded != null) {
        decoded[row] = column.getBinary(slot);
        elements += decoded[row].length;
        return;
      }
      int length = column.getArrayLength(slot);
      if (length == 0) {
        return;
      }
      int start = column.getArrayOffset(slot);
      if (start == runEnd) {
        runLength[runs - 1] += length;
      } else {
        runStart[runs] = start;
        runLength[runs] = length;
        runs++;
      }
      runEnd = start + length;
      elements += length;
    }

    ArrowBuf validity(BufferAllocator allocator) {
      return ArrowViews.validity(nullRow, rows, nullRows, allocator);
    }

    ArrowBuf offsets(BufferAllocator allocator) {
      return ArrowViews.offsets(arrowOffsets, rows, allocator);
    }

    /** The packed bytes of a string or binary column. */
    ArrowBuf byteData(WritableColumnVector column, BufferAllocator allocator) {
      if (decoded == null) {
        return packed(column.arrayData(), 1, allocator);
      }
      // Parquet dictionary pages (repeated texts): Spark keeps ids, so decode row by row.
      ArrowBuf buf = allocator.buffer(Math.max(elements, 1));
      for (int row = 0; row < rows; row++) {
        if (!nullRow[row]) {
          buf.setBytes(arrowOffsets[row], decoded[row]);
        }
      }
      return buf;
    }

    /** The packed elements of a list column. */
    ArrowBuf elementData(WritableColumnVector values, Element element, BufferAllocator allocator) {
      int width = element.width;
      if (!values.hasDictionary()) {
        return packed(values, width, allocator);
      }
      // Parquet dictionary pages (repeated values): Spark keeps ids, so decode element by element.
      ArrowBuf buf = allocator.buffer(Math.max((long) elements * width, 1));
      long target = 0;
      for (int run = 0; run < runs; run++) {
        int end = runStart[run] + runLength[run];
        for (int i = runStart[run]; i < end; i++, target += width) {
          if (!values.isNullAt(i)) {
            element.decode(values, i, buf, target);
          }
        }
      }
      return buf;
    }

    /** The packed values: a view of Spark's buffer for a single run, else one copy per run. */
    private ArrowBuf packed(WritableColumnVector values, int width, BufferAllocator allocator) {
      if (runs == 0) {
        return allocator.getEmpty();
      }
      long base = address(values);
      if (runs == 1) {
        return new ArrowBuf(
            ReferenceManager.NO_OP,
            null,
            (long) elements * width,
            base + (long) runStart[0] * width);
      }
      ArrowBuf buf = allocator.buffer((long) elements * width);
      long target = 0;
      for (int run = 0; run < runs; run++) {
        long bytes = (long) runLength[run] * width;
        MemoryUtil.copyMemory(
            base + (long) runStart[run] * width, buf.memoryAddress() + target, bytes);
        target += bytes;
      }
      return buf;
    }

    /**
     * Validity of the packed elements. Spark counts its placeholder slots as nulls, so only a batch
     * with no null slot at all skips the element-by-element look.
     */
    ArrowBuf elementValidity(WritableColumnVector values, BufferAllocator allocator) {
      nullElements = 0;
      if (values.numNulls() == 0 || elements == 0) {
        return allocator.getEmpty();
      }
      ArrowBuf buf = allocator.buffer(BitVectorHelper.getValidityBufferSize(elements));
      buf.setZero(0, buf.capacity());
      int target = 0;
      for (int run = 0; run < runs; run++) {
        int end = runStart[run] + runLength[run];
        for (int i = runStart[run]; i < end; i++, target++) {
          if (values.isNullAt(i)) {
            nullElements++;
          } else {
            BitVectorHelper.setBit(buf, target);
          }
        }
      }
      if (nullElements == 0) {
        buf.close();
        return allocator.getEmpty();
      }
      return buf;
    }
  }
}
