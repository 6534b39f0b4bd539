package dev.softmetrics.job.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Reads one top-level binary column of Parquet files straight from its data pages into Arrow {@link
 * VarBinaryVector}s, for the rows of a Spark batch named by {@code _metadata.file_path} and {@code
 * _metadata.row_index}: the logits blobs, which are nearly all of what a logits task reads. Spark's
 * reader copies each blob from the decompressed page into a column vector that it allocates afresh
 * for every task; here the bytes go once from the page into a buffer the task fills again batch
 * after batch, and pages are decompressed by {@link PageCodecs} into reused buffers.
 *
 * <p>PLAIN pages (with or without nulls) are walked length by length; other encodings (dictionary,
 * {@code DELTA_LENGTH_BYTE_ARRAY}, {@code DELTA_BYTE_ARRAY}) go through parquet-mr's decoders, as
 * do the old {@code BIT_PACKED} definition levels. A file without the column gives nulls, as
 * Spark's reader does. Rows are found as {@link ListColumnReader} finds them: forward through the
 * row groups by the footer's counts, whole pages skipped by their value counts, the file reopened
 * for an earlier row. A failure to read a file is Spark's own {@code FAILED_READ_FILE} error naming
 * it.
 */
public final class BinaryColumnReader implements AutoCloseable {
  private final String column;
  private final Configuration conf;
  private final long maxBatchBytes;
  private final PageBuffers pageBuffers = new PageBuffers();
  private FileCursor cursor;
  private UTF8String cursorFile;

  /** The bytes' buffer of the last batch, filled again once no vector holds it; null at first. */
  private ArrowBuf data;

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
    this.column = column;
    this.conf = conf;
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
    BinaryOut out = new BinaryOut(rows, allocator, dataBuffer(allocator), maxBatchBytes);
    try {
      int i = 0;
      while (i < rows) {
        UTF8String file = files.getUTF8String(i);
        long first = rowIndex.getLong(i);
        int j = i + 1;
        while (j < rows
            && rowIndex.getLong(j) == first + (j - i)
            && files.getUTF8String(j).equals(file)) {
          j++;
        }
        readRun(file, first, j - i, out);
        i = j;
      }
      return out.finish(name);
    } finally {
      data = out.data();
    }
  }

  /** The last batch's buffer if only this reader holds it and it is {@code allocator}'s. */
  private ArrowBuf dataBuffer(BufferAllocator allocator) {
    if (data != null
        && data.refCnt() == 1
        && data.getReferenceManager().getAllocator() == allocator) {
      return data;
    }
    long size = data == null ? 1 << 16 : data.capacity();
    if (data != null) {
      data.close();
      data = null;
    }
    return allocator.buffer(size);
  }

  private void readRun(UTF8String file, long first, int count, BinaryOut out) {
    String path = null;
    try {
      if (cursor == null || !file.equals(cursorFile) || first < cursor.nextRow) {
        closeCursor();
        path = file.toString();
        cursor = new FileCursor(path, column, conf, pageBuffers);
        cursorFile = file.copy();
      }
      path = cursor.path;
      cursor.skipTo(first);
      cursor.readRows(count, out);
    } catch (BatchTooLarge e) {
      closeQuietly();
      throw new BatchTooLarge(
          "Cannot read "
              + column
              + " of "
              + (path != null ? path : file.toString())
              + ": "
              + e.getMessage());
    } catch (IOException | RuntimeException e) {
      closeQuietly();
      throw ParquetColumnFiles.readError(e, path != null ? path : file.toString());
    }
  }

  private void closeQuietly() {
    try {
      closeCursor();
    } catch (IOException | RuntimeException ignored) {
      // The failure being reported is the one that counts.
    }
  }

  private void closeCursor() throws IOException {
    FileCursor open = cursor;
    cursor = null;
    cursorFile = null;
    if (open != null) {
      open.close();
    }
  }

  @Override
  public void close() throws IOException {
    if (data != null) {
      data.close();
      data = null;
    }
    closeCursor();
  }

  /** One open file: its column chunk of the current row group, page by page. */
  private static final class FileCursor implements AutoCloseable {
    final String path;
    private final ParquetFileReader reader;
    private final ColumnDescriptor descriptor;
    private final long[] groupRows;
    private final int maxDef;
    private final PageBuffers pageBuffers;
    private final List<ByteBuffer> pageHeld = new ArrayList<>();
    private final List<ByteBuffer> dictionaryHeld = new ArrayList<>();

    /** The file's row index of the next row to read. */
    long nextRow;

    private int nextGroup;
    private long groupEnd;
    private PageReadStore group;
    private PageReader pages;
    private Dictionary dictionary;

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
      this.path = path;
      this.pageBuffers = pageBuffers;
      this.reader =
          ParquetColumnFiles.open(path, conf, new PageCodecs(conf, pageBuffers, pageHeld::add));
      try {
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        List<BlockMetaData> blocks = reader.getRowGroups();
        this.groupRows = new long[blocks.size()];
        for (int g = 0; g < groupRows.length; g++) {
          groupRows[g] = blocks.get(g).getRowCount();
        }
        Type field = ParquetColumnFiles.field(schema, column);
        if (field == null) {
          this.descriptor = null;
          this.maxDef = 1;
          return;
        }
        if (!field.isPrimitive()
            || field.isRepetition(Type.Repetition.REPEATED)
            || field.asPrimitiveType().getPrimitiveTypeName() != PrimitiveTypeName.BINARY) {
          throw new IllegalArgumentException(
              "column " + field.getName() + " is not a binary column: " + field);
        }
        MessageType requested = new MessageType(schema.getName(), field);
        this.descriptor = requested.getColumns().get(0);
        reader.setRequestedSchema(requested);
        this.maxDef = descriptor.getMaxDefinitionLevel();
      } catch (RuntimeException e) {
        reader.close();
        throw e;
      }
    }

    /** Moves forward to row {@code row} of the file (no earlier than {@link #nextRow}). */
    void skipTo(long row) throws IOException {
      if (pages == null) {
        // Between row groups: skip the ones that end before the row, unread.
        while (nextGroup < groupRows.length && nextRow + groupRows[nextGroup] <= row) {
          if (descriptor != null) {
            reader.skipNextRowGroup();
          }
          nextRow += groupRows[nextGroup];
          nextGroup++;
        }
      }
      if (row > nextRow) {
        readRows(row - nextRow, null);
      }
    }

    /** Reads the next {@code count} rows into {@code out}, or past them when it is null. */
    void readRows(long count, BinaryOut out) throws IOException {
      if (descriptor == null) {
        long total = Arrays.stream(groupRows).sum();
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
        if (plain.limit() - plainAt < Integer.BYTES) {
          throw new IllegalStateException("a PLAIN value's length lies past the page's end");
        }
        int length = plain.getInt(plainAt);
        int from = plainAt + Integer.BYTES;
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
      if (pages == null) {
        return false;
      }
      releasePage();
      DataPage page = pages.readPage();
      if (page == null) {
        if (nextRow != groupEnd) {
          throw new IllegalStateException(
              "its row group ending at row " + groupEnd + " holds data for " + nextRow + " rows");
        }
        pages = null;
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
        if (maxDef == 0) {
          allPresent = true;
        } else if (v1.getDlEncoding() == Encoding.RLE) {
          ByteBuffer length = in.slice(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
          int bytes = length.getInt(length.position());
          if (bytes < 0 || bytes > in.available()) {
            throw new IllegalStateException(
                "the page's definition levels claim " + bytes + " bytes of " + in.available());
          }
          definitions(in.slice(bytes));
        } else {
          ValuesReader decoder =
              v1.getDlEncoding().getValuesReader(descriptor, ValuesType.DEFINITION_LEVEL);
          decoder.initFromPage(levels, in);
          defs = defs.length >= levels ? defs : new int[levels];
          for (int i = 0; i < levels; i++) {
            defs[i] = decoder.readInteger();
          }
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
      int present = levels;
      if (!allPresent) {
        present = 0;
        for (int i = 0; i < levels; i++) {
          if (defs[i] == maxDef) {
            present++;
          }
        }
      }
      if (encoding.usesDictionary()) {
        if (dictionary == null) {
          throw new IllegalStateException("a dictionary-encoded page has no dictionary page");
        }
        values = encoding.getDictionaryBasedValuesReader(descriptor, ValuesType.VALUES, dictionary);
      } else {
        values = encoding.getValuesReader(descriptor, ValuesType.VALUES);
      }
      values.initFromPage(present, in);
    }

    /** Opens the next row group's column chunk. */
    private void nextGroup() throws IOException {
      if (nextGroup >= groupRows.length) {
        throw new IllegalStateException(
            "the file has " + nextRow + " rows, fewer than the batch asks for");
      }
      closeGroup();
      group = reader.readNextRowGroup();
      if (group == null) {
        throw new IllegalStateException("row group " + nextGroup + " cannot be read");
      }
      groupEnd = nextRow + groupRows[nextGroup];
      nextGroup++;
      pages = group.getPageReader(descriptor);
      DictionaryPage page = pages.readDictionaryPage();
      dictionary = page == null ? null : page.getEncoding().initDictionary(descriptor, page);
      // A binary dictionary points into its page's buffer: it stays taken until the group ends.
      dictionaryHeld.addAll(pageHeld);
      pageHeld.clear();
      levels = 0;
      at = 0;
    }

    /** Gives the current page's buffers back: it is read to its end. */
    private void releasePage() {
      for (ByteBuffer b : pageHeld) {
        pageBuffers.release(b);
      }
      pageHeld.clear();
      plain = null;
      values = null;
    }

    /** Closes the row group's page store, which gives parquet-mr its buffers back. */
    private void closeGroup() {
      releasePage();
      for (ByteBuffer b : dictionaryHeld) {
        pageBuffers.release(b);
      }
      dictionaryHeld.clear();
      dictionary = null;
      if (group != null) {
        PageReadStore done = group;
        group = null;
        done.close();
      }
    }

    @Override
    public void close() throws IOException {
      try {
        closeGroup();
      } finally {
        reader.close();
      }
    }
  }

  /** The Arrow buffers of one batch's values, filled row by row, then handed to a vector. */
  private static final class BinaryOut {
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
      if (bytes + n <= data.capacity()) {
        return;
      }
      ArrowBuf grown = allocator.buffer(Math.max(bytes + n, data.capacity() * 2));
      MemoryUtil.copyMemory(data.memoryAddress(), grown.memoryAddress(), bytes);
      data.close();
      data = grown;
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
