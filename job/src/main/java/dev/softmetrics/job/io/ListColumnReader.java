package dev.softmetrics.job.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * Reads one {@code list<float>} or {@code list<double>} column of Parquet files straight from its
 * data pages into Arrow {@link ListVector}s, for the rows of a Spark batch named by {@code
 * _metadata.file_path} and {@code _metadata.row_index}: the log-prob column, which is most of what
 * a scoring task reads, without Spark's reader (which appends every level and value one by one into
 * its column vectors before the job copies them out again).
 *
 * <p>parquet-mr reads the column chunk, checks and decompresses its pages; this class decodes them.
 * Levels in the RLE / bit-packed hybrid are taken run by run ({@link HybridLevels}); a page with no
 * null list and no null element (its definition levels one run of the maximum) has its PLAIN values
 * copied in bulk, a row's worth at a time. Everything else goes value by value through parquet-mr's
 * own decoders: dictionary pages, other value encodings ({@code BYTE_STREAM_SPLIT}, ...), levels
 * {@code BIT_PACKED} as old v1 pages have them, and pages with nulls. Any list layout is read: a
 * nullable or required list, nullable or required elements, the legacy two-level lists; a row's
 * values may continue from one page into the next. A file without the column gives null lists, as
 * Spark's reader does.
 *
 * <p>Rows are found by their index in the file: the reader moves forward through the file's row
 * groups (skipping whole groups by the footer's row counts, and rows by decoding them) to the first
 * row a batch asks for, and reopens the file if a batch asks for an earlier row. One file is open
 * at a time; {@link #close} closes it.
 *
 * <p>A failure to read a file's data is reported as Spark's own {@code FAILED_READ_FILE} error,
 * naming the file as {@code _metadata.file_path} spells it, so that the job treats it as it treats
 * a failure of Spark's reader (fail naming the file, or skip it with {@code
 * read.skip-corrupt-files}).
 */
public final class ListColumnReader
    extends PageColumnReader<ListColumnReader.FileCursor, ListColumnReader.ListOut> {

  /**
   * @param column the column's name (an exact match in the file's schema, else a case-insensitive
   *     one, as Spark matches names by default)
   * @param conf the Hadoop configuration to open the files with
   */
  public ListColumnReader(String column, Configuration conf) {
    super(column, conf);
  }

  /**
   * The lists of the batch's {@code rows} rows, in order: row {@code i} is the row {@code
   * rowIndex.getLong(i)} of the file {@code files.getUTF8String(i)}. The caller closes the vector.
   */
  public ListVector read(
      ColumnVector files, ColumnVector rowIndex, int rows, String name, BufferAllocator allocator) {
    ListOut out = new ListOut(rows, allocator, reusableBuffer(allocator));
    try {
      readBatch(files, rowIndex, rows, out);
      return out.finish(name);
    } finally {
      keep(out.values());
    }
  }

  @Override
  FileCursor open(String path) throws IOException {
    return new FileCursor(path, column, conf, pageBuffers);
  }

  /** One open file: its column chunk of the current row group, page by page. */
  static final class FileCursor extends ColumnFile<ListOut> {
    private final int width;

    /** Definition levels: below {@code listDef} a null list, below {@code repeatedDef} empty. */
    private final int listDef;

    private final int repeatedDef;
    private final int maxDef;
    private final int defWidth;

    // The current page: its levels, where the rows start, and its values.
    private int levels;
    private int at;
    private int[] starts = new int[64];
    private int startCount;
    private int nextStart;
    private int[] defs = new int[0];

    /** No null list or element in the page: its definition levels are not decoded. */
    private boolean allPresent;

    /** All present and PLAIN: the page's values, copied a row at a time; else null. */
    private ByteBuffer plain;

    /** Otherwise: the values, one at a time, through parquet-mr's decoder. */
    private ValuesReader values;

    private int valueAt;
    private boolean rowOpen;
    private final int[] found = new int[1];

    FileCursor(String path, String column, Configuration conf, PageBuffers pageBuffers)
        throws IOException {
      super(path, conf, pageBuffers);
      try {
        Type field = field(column);
        if (field == null) {
          this.width = Float.BYTES;
          this.listDef = 1;
          this.repeatedDef = 1;
          this.maxDef = 1;
          this.defWidth = 0;
          return;
        }
        MessageType requested = request(field);
        String[] names = descriptor.getPath();
        if (requested.getColumns().size() != 1 || descriptor.getMaxRepetitionLevel() != 1) {
          throw new IllegalArgumentException(
              "column " + field.getName() + " is not a list of numbers: " + field);
        }
        PrimitiveTypeName type = descriptor.getPrimitiveType().getPrimitiveTypeName();
        if (type != PrimitiveTypeName.FLOAT && type != PrimitiveTypeName.DOUBLE) {
          throw new IllegalArgumentException(
              "column " + field.getName() + " holds " + type + ", not FLOAT or DOUBLE: " + field);
        }
        this.width = type == PrimitiveTypeName.FLOAT ? Float.BYTES : Double.BYTES;
        // Levels along the path: the repeated node's own level separates an empty list from a
        // list with elements; the level above it, a null list from an empty one.
        int def = 0;
        int list = -1;
        int repeated = -1;
        for (int depth = 1; depth <= names.length; depth++) {
          Type node = requested.getType(Arrays.copyOf(names, depth));
          if (node.isRepetition(Type.Repetition.REPEATED)) {
            list = def;
            def++;
            repeated = def;
          } else if (node.isRepetition(Type.Repetition.OPTIONAL)) {
            def++;
          }
        }
        this.listDef = list;
        this.repeatedDef = repeated;
        this.maxDef = descriptor.getMaxDefinitionLevel();
        this.defWidth = BytesUtils.getWidthFromMaxInt(maxDef);
      } catch (RuntimeException e) {
        reader.close();
        throw e;
      }
    }

    @Override
    void readRows(long count, ListOut out) throws IOException {
      if (descriptor == null) {
        skipWithoutColumn(count, out);
        return;
      }
      long started = 0;
      while (true) {
        if (pages == null || at == levels) {
          if (!nextPage()) {
            if (started == count) {
              return;
            }
            nextGroup();
            levels = 0;
            at = 0;
            rowOpen = false;
            continue;
          }
        }
        int end = nextStart < startCount ? starts[nextStart] : levels;
        if (at < end) {
          if (!rowOpen) {
            throw new IllegalStateException(
                "a list continues in a page without a row started before it (level "
                    + at
                    + " of a page)");
          }
          continueRow(end, out);
          continue;
        }
        if (started == count) {
          return;
        }
        started++;
        nextRow++;
        nextStart++;
        rowOpen = true;
        if (out != null) {
          out.startRow();
        }
        // The row's levels, from this one to the next row's start, go in the next round.
      }
    }

    /** The rows of a file that lacks the column: null lists. */
    private void skipWithoutColumn(long count, ListOut out) {
      long total = totalRows();
      if (nextRow + count > total) {
        throw new IllegalStateException(
            "the file has " + total + " rows, not " + (nextRow + count));
      }
      for (long r = 0; r < count; r++) {
        if (out != null) {
          out.startRow();
          out.nullRow();
        }
      }
      nextRow += count;
    }

    /** Levels {@code [at, end)} of the page, all of the open row, into {@code out}. */
    private void continueRow(int end, ListOut out) {
      if (plain != null) {
        int n = end - at;
        if (out != null) {
          out.copy(plain, valueAt, n, width);
        }
        valueAt += n;
        at = end;
        return;
      }
      for (; at < end; at++) {
        int def = allPresent ? maxDef : defs[at];
        if (def == maxDef) {
          if (out == null) {
            values.skip();
          } else if (width == Float.BYTES) {
            out.addFloat(values.readFloat());
          } else {
            out.addDouble(values.readDouble());
          }
        } else if (def >= repeatedDef) {
          if (out != null) {
            out.nullElement(width);
          }
        } else if (def >= listDef) {
          // An empty list: its one level adds nothing.
        } else if (out != null) {
          out.nullRow();
        }
      }
    }

    /** Loads the current row group's next page; false at the end of the group (or before any). */
    private boolean nextPage() throws IOException {
      DataPage page = nextDataPage();
      if (page == null) {
        rowOpen = false;
        return false;
      }
      levels = page.getValueCount();
      at = 0;
      nextStart = 0;
      valueAt = 0;
      if (page instanceof DataPageV1 v1) {
        ByteBufferInputStream in =
            ByteBufferInputStream.wrap(v1.getBytes().toByteBuffer(pageBuffers, pageHeld::add));
        ByteBuffer rep = hybridLevels(in, v1.getRlEncoding(), ValuesType.REPETITION_LEVEL);
        if (rep != null) {
          starts = HybridLevels.zeros(rep, 1, levels, starts, found);
        } else {
          startsFrom(
              decodedLevels(
                  in, v1.getRlEncoding(), ValuesType.REPETITION_LEVEL, levels, new int[0]));
        }
        ByteBuffer def = hybridLevels(in, v1.getDlEncoding(), ValuesType.DEFINITION_LEVEL);
        if (def != null) {
          definitions(def);
        } else {
          defs = decodedLevels(in, v1.getDlEncoding(), ValuesType.DEFINITION_LEVEL, levels, defs);
          allPresent = false;
        }
        values(v1.getValueEncoding(), in);
      } else {
        DataPageV2 v2 = (DataPageV2) page;
        starts =
            HybridLevels.zeros(v2.getRepetitionLevels().toByteBuffer(), 1, levels, starts, found);
        definitions(v2.getDefinitionLevels().toByteBuffer());
        values(
            v2.getDataEncoding(),
            ByteBufferInputStream.wrap(v2.getData().toByteBuffer(pageBuffers, pageHeld::add)));
      }
      startCount = found[0];
      return true;
    }

    private void definitions(ByteBuffer def) {
      allPresent = HybridLevels.allEqual(def, defWidth, levels, maxDef);
      if (!allPresent) {
        defs = HybridLevels.decode(def, defWidth, levels, defs);
      }
    }

    private void startsFrom(int[] rep) {
      int n = 0;
      for (int i = 0; i < levels; i++) {
        if (rep[i] == 0) {
          if (n == starts.length) {
            starts = Arrays.copyOf(starts, n * 2);
          }
          starts[n++] = i;
        }
      }
      found[0] = n;
    }

    private void values(Encoding encoding, ByteBufferInputStream in) throws IOException {
      int present = allPresent ? levels : present(defs, levels, maxDef);
      if (allPresent && encoding == Encoding.PLAIN) {
        if (in.available() < (long) present * width) {
          throw new IllegalStateException(
              "the page holds " + in.available() + " bytes for " + present + " values");
        }
        plain = in.slice(present * width).order(ByteOrder.LITTLE_ENDIAN);
        values = null;
        return;
      }
      // Another encoding, or nulls: value by value (continueRow).
      plain = null;
      values = valuesDecoder(encoding, present, in);
    }

    @Override
    void releasePage() {
      super.releasePage();
      plain = null;
      values = null;
    }
  }

  /**
   * The Arrow buffers of one batch's lists, filled row by row, then handed to a vector; the values'
   * buffer stays the reader's too.
   */
  static final class ListOut {
    private final BufferAllocator allocator;
    private final int[] offsets;
    private final boolean[] nullRows;
    private int rows;
    private int nullRowCount;
    private ArrowBuf data;
    private long bytes;
    private int elements;
    private int width;
    private int[] nullElements = new int[0];
    private int nullElementCount;

    ListOut(int rows, BufferAllocator allocator, ArrowBuf values) {
      this.allocator = allocator;
      this.offsets = new int[rows + 1];
      this.nullRows = new boolean[rows];
      this.data = values;
    }

    /** The values' buffer, as grown: the reader's reference. */
    ArrowBuf values() {
      return data;
    }

    void startRow() {
      offsets[rows++] = elements;
    }

    void nullRow() {
      nullRows[rows - 1] = true;
      nullRowCount++;
    }

    void copy(ByteBuffer plain, int from, int count, int valueWidth) {
      widthIs(valueWidth);
      long n = (long) count * valueWidth;
      reserve(n);
      data.setBytes(bytes, plain, plain.position() + from * valueWidth, (int) n);
      add(count, n);
    }

    void addFloat(float value) {
      widthIs(Float.BYTES);
      reserve(Float.BYTES);
      data.setFloat(bytes, value);
      add(1, Float.BYTES);
    }

    void addDouble(double value) {
      widthIs(Double.BYTES);
      reserve(Double.BYTES);
      data.setDouble(bytes, value);
      add(1, Double.BYTES);
    }

    void nullElement(int valueWidth) {
      widthIs(valueWidth);
      reserve(valueWidth);
      data.setZero(bytes, valueWidth);
      if (nullElementCount == nullElements.length) {
        nullElements = Arrays.copyOf(nullElements, Math.max(16, nullElementCount * 2));
      }
      nullElements[nullElementCount++] = elements;
      add(1, valueWidth);
    }

    private void add(int count, long n) {
      if (elements + (long) count > Integer.MAX_VALUE - 1) {
        throw new BatchTooLarge(
            "its batch holds more than 2^31 list elements, more than one Arrow vector takes;"
                + " lower read.batch-rows");
      }
      elements += count;
      bytes += n;
    }

    private void widthIs(int valueWidth) {
      if (width != valueWidth) {
        if (width != 0) {
          throw new IllegalStateException("the batch's files mix float and double elements");
        }
        width = valueWidth;
      }
    }

    private void reserve(long n) {
      data = room(data, bytes, n, allocator);
    }

    ListVector finish(String name) {
      offsets[rows] = elements;
      ArrowType element =
          new ArrowType.FloatingPoint(
              width == Double.BYTES
                  ? FloatingPointPrecision.DOUBLE
                  : FloatingPointPrecision.SINGLE);
      ListVector list = ListVector.empty(name, allocator);
      list.addOrGetVector(FieldType.nullable(element));
      // The vector takes its own reference to each buffer; the values' buffer keeps this one.
      try (ArrowBuf validity = ArrowViews.validity(nullRows, rows, nullRowCount, allocator);
          ArrowBuf offsetBuf = ArrowViews.offsets(offsets, rows, allocator);
          ArrowBuf elementValidity = elementValidity()) {
        list.loadFieldBuffers(new ArrowFieldNode(rows, nullRowCount), List.of(validity, offsetBuf));
        list.getDataVector()
            .loadFieldBuffers(
                new ArrowFieldNode(elements, nullElementCount), List.of(elementValidity, data));
        return list;
      } catch (RuntimeException e) {
        list.close();
        throw e;
      }
    }

    private ArrowBuf elementValidity() {
      if (nullElementCount == 0) {
        return allocator.getEmpty();
      }
      ArrowBuf buf = allocator.buffer(BitVectorHelper.getValidityBufferSize(elements));
      buf.setOne(0, buf.capacity());
      for (int e = 0; e < nullElementCount; e++) {
        BitVectorHelper.unsetBit(buf, nullElements[e]);
      }
      return buf;
    }
  }
}
