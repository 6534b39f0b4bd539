package dev.softmetrics.job.io;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
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
 * copy per run of adjacent rows.
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
    DataType element = ((ArrayType) column.dataType()).elementType();
    int width;
    FloatingPointPrecision precision;
    if (element.equals(DataTypes.FloatType)) {
      width = Float.BYTES;
      precision = FloatingPointPrecision.SINGLE;
    } else if (element.equals(DataTypes.DoubleType)) {
      width = Double.BYTES;
      precision = FloatingPointPrecision.DOUBLE;
    } else {
      throw new IllegalArgumentException(
          String.format(
              "Invalid column %s: array<%s> (must be array<float> or array<double>)",
              name, element.simpleString()));
    }
    ListVector list = ListVector.empty(name, allocator);
    list.addOrGetVector(FieldType.nullable(new ArrowType.FloatingPoint(precision)));
    FieldVector child = list.getDataVector();
    WritableColumnVector elements = column.arrayData();
    Layout layout = Layout.of(column, rows);
    try (ArrowBuf validity = layout.validity(allocator);
        ArrowBuf offsets = layout.offsets(allocator);
        ArrowBuf data = layout.elementData(elements, width, allocator);
        ArrowBuf elementValidity = layout.elementValidity(elements, allocator)) {
      list.loadFieldBuffers(new ArrowFieldNode(rows, layout.nullRows), List.of(validity, offsets));
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
    VarCharVector vector = new VarCharVector(name, allocator);
    Layout layout = Layout.of(column, rows);
    try (ArrowBuf validity = layout.validity(allocator);
        ArrowBuf offsets = layout.offsets(allocator);
        ArrowBuf data = layout.stringData(column, allocator)) {
      vector.loadFieldBuffers(
          new ArrowFieldNode(rows, layout.nullRows), List.of(validity, offsets, data));
      return vector;
    } catch (RuntimeException e) {
      vector.close();
      throw e;
    }
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

  /**
   * Where each row's values lie in Spark's child buffer, as runs of adjacent rows, and the Arrow
   * offsets they get once the runs are packed one after the other.
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
    byte[][] decoded;

    private Layout(int rows) {
      this.rows = rows;
      this.nullRow = new boolean[rows];
      this.arrowOffsets = new int[rows + 1];
      this.runStart = new int[rows];
      this.runLength = new int[rows];
    }

    static Layout of(WritableColumnVector column, int rows) {
      Layout layout = new Layout(rows);
      if (column.hasDictionary()) {
        return ofDictionary(column, rows, layout);
      }
      int runEnd = -1;
      int packed = 0;
      for (int row = 0; row < rows; row++) {
        layout.arrowOffsets[row] = packed;
        if (column.isNullAt(row)) {
          layout.nullRow[row] = true;
          layout.nullRows++;
          continue;
        }
        int length = column.getArrayLength(row);
        if (length == 0) {
          continue;
        }
        int start = column.getArrayOffset(row);
        if (start == runEnd) {
          layout.runLength[layout.runs - 1] += length;
        } else {
          layout.runStart[layout.runs] = start;
          layout.runLength[layout.runs] = length;
          layout.runs++;
        }
        runEnd = start + length;
        packed += length;
      }
      layout.arrowOffsets[rows] = packed;
      layout.elements = packed;
      return layout;
    }

    /**
     * A dictionary-encoded string column: lengths come from the decoded values, there are no runs.
     */
    private static Layout ofDictionary(WritableColumnVector column, int rows, Layout layout) {
      layout.decoded = new byte[rows][];
      int packed = 0;
      for (int row = 0; row < rows; row++) {
        layout.arrowOffsets[row] = packed;
        if (column.isNullAt(row)) {
          layout.nullRow[row] = true;
          layout.nullRows++;
        } else {
          layout.decoded[row] = column.getBinary(row);
          packed += layout.decoded[row].length;
        }
      }
      layout.arrowOffsets[rows] = packed;
      layout.elements = packed;
      return layout;
    }

    ArrowBuf validity(BufferAllocator allocator) {
      if (nullRows == 0) {
        return allocator.getEmpty();
      }
      ArrowBuf buf = allocator.buffer(BitVectorHelper.getValidityBufferSize(rows));
      buf.setZero(0, buf.capacity());
      for (int row = 0; row < rows; row++) {
        if (!nullRow[row]) {
          BitVectorHelper.setBit(buf, row);
        }
      }
      return buf;
    }

    ArrowBuf offsets(BufferAllocator allocator) {
      ArrowBuf buf = allocator.buffer((long) (rows + 1) * Integer.BYTES);
      for (int i = 0; i <= rows; i++) {
        buf.setInt((long) i * Integer.BYTES, arrowOffsets[i]);
      }
      return buf;
    }

    /** The packed bytes of a string column. */
    ArrowBuf stringData(WritableColumnVector column, BufferAllocator allocator) {
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
    ArrowBuf elementData(WritableColumnVector values, int width, BufferAllocator allocator) {
      if (!values.hasDictionary()) {
        return packed(values, width, allocator);
      }
      // Parquet dictionary pages (repeated values): Spark keeps ids, so decode element by element.
      ArrowBuf buf = allocator.buffer(Math.max((long) elements * width, 1));
      long target = 0;
      for (int run = 0; run < runs; run++) {
        int end = runStart[run] + runLength[run];
        for (int i = runStart[run]; i < end; i++, target += width) {
          if (values.isNullAt(i)) {
            continue;
          }
          if (width == Float.BYTES) {
            buf.setFloat(target, values.getFloat(i));
          } else {
            buf.setDouble(target, values.getDouble(i));
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
