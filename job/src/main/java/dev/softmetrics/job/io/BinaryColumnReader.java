package dev.softmetrics.job.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * Reads one top-level binary column of Parquet files straight from its data pages into Arrow {@link
 * VarBinaryVector}s, for the rows of a Spark batch named by {@code _metadata.file_path} and {@code
 * _metadata.row_index}: the logits blobs, which are nearly all of what a logits task reads. Spark's
 * reader copies each blob from the decompressed page into a column vector that it allocates afresh
 * for every task; here the bytes go once from the page into a buffer the task fills again batch
 * after batch, and pages are decompressed by {@link PageCodecs} into reused buffers.
 *
 * <p>PLAIN pages (with or without nulls) are walked length by length (fixed-length byte arrays,
 * which Spark also reads as binary, value by value); other encodings (dictionary, {@code
 * DELTA_LENGTH_BYTE_ARRAY}, {@code DELTA_BYTE_ARRAY}) go through parquet-mr's decoders, as do the
 * old {@code BIT_PACKED} definition levels. A file without the column gives nulls, as Spark's
 * reader does. Rows are found as {@link ListColumnReader} finds them: forward through the row
 * groups by the footer's counts, whole pages skipped by their value counts, the file reopened for
 * an earlier row. A failure to read a file is Spark's own {@code FAILED_READ_FILE} error naming it.
 */
public final class BinaryColumnReader
    extends PageColumnReader<BinaryColumnReader.FileCursor, BinaryColumnReader.BinaryOut> {
  private final long maxBatchBytes;

  /**
   * @param column the column's name (an exact match in the file's schema, else a case-insensitive
   *     one, as Spark matches names by default)
   * @param conf the Hadoop configuration to open the files with
   */
  public BinaryColumnReader(String column, Configuration conf) {
    this(column, conf, Integer.MAX_VALUE);
  }

  /** A reader whose batches hold at most {@code maxBatchBytes} bytes of values (tests). */
  BinaryColumnReader(String column, Configuration conf, long maxBatchBytes) {
    super(column, conf);
    this.maxBatchBytes = maxBatchBytes;
  }

  /** The column's name, as the reader was given it. */
  public String column() {
    return column;
  }

  /**
   * The values of the batch's {@code rows} rows, in order: row {@code i} is the row {@code
   * rowIndex.getLong(i)} of the file {@code files.getUTF8String(i)}. The caller closes the vector.
   */
  public VarBinaryVector read(
      ColumnVector files, ColumnVector rowIndex, int rows, String name, BufferAllocator allocator) {
    BinaryOut out = new BinaryOut(rows, allocator, reusableBuffer(allocator), maxBatchBytes);
    try {
      readBatch(files, rowIndex, rows, out);
      return out.finish(name);
    } finally {
      keep(out.data());
    }
  }

  @Override
  FileCursor open(String path) throws IOException {
    return new FileCursor(path, column, conf, pageBuffers);
  }

  /** One open file: its column chunk of the current row group, page by page. */
  static final class FileCursor extends ColumnFile<BinaryOut> {
    private final int maxDef;

    /** The length of every value of a {@code FIXED_LEN_BYTE_ARRAY} column; -1 for binary. */
    private final int fixedLength;

    // The current page: one level per row; its definition levels unless all are present.
    private int levels;
    private int at;
    private boolean allPresent;
    private int[] defs = new int[0];

    /** PLAIN values: the page's bytes after the levels, read from {@link #plainAt}; else null. */
    private ByteBuffer plain;

    private int plainAt;

    /** Otherwise: the values, one at a time, through parquet-mr's decoder. */
    private ValuesReader values;

    FileCursor(String path, String column, Configuration conf, PageBuffers pageBuffers)
        throws IOException {
      super(path, conf, pageBuffers);
      try {
        Type field = field(column);
        if (field == null) {
          this.maxDef = 1;
          this.fixedLength = -1;
          return;
        }
        PrimitiveTypeName type =
            field.isPrimitive() ? field.asPrimitiveType().getPrimitiveTypeName() : null;
        if (field.isRepetition(Type.Repetition.REPEATED)
            || (type != PrimitiveTypeName.BINARY
                && type != PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY)) {
          throw new IllegalArgumentException(
              "column " + field.getName() + " is not a binary column: " + field);
        }
        request(field);
        this.maxDef = descriptor.getMaxDefinitionLevel();
        // Spark reads fixed-length byte arrays as binary too: PLAIN values without lengths.
        this.fixedLength =
            type == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY ? descriptor.getTypeLength() : -1;
      } catch (RuntimeException e) {
        reader.close();
        throw e;
      }
    }

    @Override
    void readRows(long count, BinaryOut out) throws IOException {
      if (descriptor == null) {
        long total = totalRows();
        if (nextRow + count > total) {
          throw new IllegalStateException(
              "the file has " + total + " rows, not " + (nextRow + count));
        }
        for (long r = 0; r < count && out != null; r++) {
          out.nullRow();
        }
        nextRow += count;
        return;
      }
      long left = count;
      while (left > 0) {
        if (pages == null || at == levels) {
          if (!nextPage()) {
            nextGroup();
            levels = 0;
            at = 0;
            continue;
          }
        }
        int n = (int) Math.min(left, levels - at);
        for (int r = 0; r < n; r++) {
          row(at + r, out);
        }
        at += n;
        nextRow += n;
        left -= n;
      }
    }

    /**
     * Level {@code level} of the page: one row, its value or null, into {@code out} if not null.
     */
    private void row(int level, BinaryOut out) {
      if (!allPresent && defs[level] != maxDef) {
        if (out != null) {
          out.nullRow();
        }
        return;
      }
      if (plain != null) {
        int length;
        int from;
        if (fixedLength >= 0) {
          length = fixedLength;
          from = plainAt;
        } else {
          if (plain.limit() - plainAt < Integer.BYTES) {
            throw new IllegalStateException("a PLAIN value's length lies past the page's end");
          }
          length = plain.getInt(plainAt);
          from = plainAt + Integer.BYTES;
        }
        if (length < 0 || length > plain.limit() - from) {
          throw new IllegalStateException(
              "a PLAIN value claims "
                  + length
                  + " bytes where the page has "
                  + (plain.limit() - from)
                  + " left");
        }
        if (out != null) {
          out.copy(plain, from, length);
        }
        plainAt = from + length;
      } else if (out == null) {
        values.skip();
      } else {
        out.copy(values.readBytes());
      }
    }

    /** Loads the current row group's next page; false at the end of the group (or before any). */
    private boolean nextPage() throws IOException {
      DataPage page = nextDataPage();
      if (page == null) {
        return false;
      }
      levels = page.getValueCount();
      at = 0;
      if (nextRow + levels > groupEnd) {
        throw new IllegalStateException(
            "a page of "
                + levels
                + " values starting at row "
                + nextRow
                + " passes the row group's end at row "
                + groupEnd);
      }
      if (page instanceof DataPageV1 v1) {
        ByteBufferInputStream in =
            ByteBufferInputStream.wrap(v1.getBytes().toByteBuffer(pageBuffers, pageHeld::add));
        ByteBuffer def =
            maxDef == 0 ? null : hybridLevels(in, v1.getDlEncoding(), ValuesType.DEFINITION_LEVEL);
        if (maxDef == 0) {
          allPresent = true;
        } else if (def != null) {
          definitions(def);
        } else {
          defs = decodedLevels(in, v1.getDlEncoding(), ValuesType.DEFINITION_LEVEL, levels, defs);
          allPresent = false;
        }
        values(v1.getValueEncoding(), in);
      } else {
        DataPageV2 v2 = (DataPageV2) page;
        if (maxDef == 0) {
          allPresent = true;
        } else {
          definitions(v2.getDefinitionLevels().toByteBuffer());
        }
        values(
            v2.getDataEncoding(),
            ByteBufferInputStream.wrap(v2.getData().toByteBuffer(pageBuffers, pageHeld::add)));
      }
      return true;
    }

    private void definitions(ByteBuffer def) {
      int width = BytesUtils.getWidthFromMaxInt(maxDef);
      allPresent = HybridLevels.allEqual(def, width, levels, maxDef);
      if (!allPresent) {
        defs = HybridLevels.decode(def, width, levels, defs);
      }
    }

    private void values(Encoding encoding, ByteBufferInputStream in) throws IOException {
      if (encoding == Encoding.PLAIN) {
        plain = in.slice(in.available()).order(ByteOrder.LITTLE_ENDIAN);
        plainAt = plain.position();
        values = null;
        return;
      }
      plain = null;
      values = valuesDecoder(encoding, allPresent ? levels : present(defs, levels, maxDef), in);
    }

    @Override
    void releasePage() {
      super.releasePage();
      plain = null;
      values = null;
    }
  }

  /** The Arrow buffers of one batch's values, filled row by row, then handed to a vector. */
  static final class BinaryOut {
    private final BufferAllocator allocator;
    private final int[] offsets;
    private final boolean[] nullRows;
    private int rows;
    private int nullCount;
    private ArrowBuf data;
    private long bytes;

    private final long maxBytes;

    BinaryOut(int rows, BufferAllocator allocator, ArrowBuf data, long maxBytes) {
      this.maxBytes = maxBytes;
      this.allocator = allocator;
      this.offsets = new int[rows + 1];
      this.nullRows = new boolean[rows];
      this.data = data;
    }

    /** The bytes' buffer, as grown: the reader's reference. */
    ArrowBuf data() {
      return data;
    }

    void nullRow() {
      nullRows[rows] = true;
      nullCount++;
      offsets[++rows] = (int) bytes;
    }

    void copy(ByteBuffer page, int from, int length) {
      if (bytes + length > maxBytes) {
        throw new BatchTooLarge(
            "its batch of "
                + nullRows.length
                + " rows holds more than "
                + maxBytes
                + " bytes, more than one Arrow vector takes; lower read.logits-batch-rows (or"
                + " write smaller chunks)");
      }
      reserve(length);
      data.setBytes(bytes, page, from, length);
      added(length);
    }

    void copy(Binary value) {
      ByteBuffer b = value.toByteBuffer();
      copy(b, b.position(), b.remaining());
    }

    private void added(int length) {
      bytes += length;
      offsets[++rows] = (int) bytes;
    }

    private void reserve(long n) {
      data = room(data, bytes, n, allocator);
    }

    VarBinaryVector finish(String name) {
      VarBinaryVector vector = new VarBinaryVector(name, allocator);
      // The vector takes its own reference to each buffer; the bytes' buffer keeps this one.
      try (ArrowBuf validity = ArrowViews.validity(nullRows, rows, nullCount, allocator);
          ArrowBuf offsetBuf = ArrowViews.offsets(offsets, rows, allocator)) {
        vector.loadFieldBuffers(
            new ArrowFieldNode(rows, nullCount), List.of(validity, offsetBuf, data));
        return vector;
      } catch (RuntimeException e) {
        vector.close();
        throw e;
      }
    }
  }
}
