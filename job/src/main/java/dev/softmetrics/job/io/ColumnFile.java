package dev.softmetrics.job.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * One file open in a task reader ({@link PageColumnReader}): one column of it, its row groups one
 * after the other (those before the wanted row skipped unread, by the footer's counts), each row
 * group's column chunk read page by page from the file ({@link StreamedPages}), each page
 * decompressed into the task's {@link PageBuffers} ({@link PageCodecs}) and given back when the
 * next is read, the dictionary page's when the group ends. Subclasses decode the pages.
 *
 * @param <O> what rows are read into
 */
abstract class ColumnFile<O> implements AutoCloseable {
  final String path;
  final ParquetFileReader reader;
  private final HadoopInputFile file;
  private final PageCodecs codecs;

  /** Where the column chunks are read from, opened with the first row group read. */
  private ChunkSource source;

  final long[] groupRows;
  final PageBuffers pageBuffers;

  /** The buffers the current page was decompressed into, given back with the page. */
  final List<ByteBuffer> pageHeld = new ArrayList<>();

  /** The buffers of the row group's dictionary page, given back with the group. */
  private final List<ByteBuffer> dictionaryHeld = new ArrayList<>();

  /** The column, once {@link #request}ed; null while the file lacks it. */
  ColumnDescriptor descriptor;

  /** The file's row index of the next row to read. */
  long nextRow;

  private int nextGroup;
  long groupEnd;

  /** The current row group's pages; null between groups. */
  StreamedPages pages;

  Dictionary dictionary;

  /** Opens {@code path}; the subclass then finds its column and {@link #request}s it. */
  ColumnFile(String path, Configuration conf, PageBuffers pageBuffers) throws IOException {
    this.path = path;
    this.pageBuffers = pageBuffers;
    this.file = ParquetColumnFiles.inputFile(path, conf);
    this.codecs = new PageCodecs(conf, pageBuffers, pageHeld::add);
    this.reader = ParquetColumnFiles.open(file, conf, codecs);
    List<BlockMetaData> blocks = reader.getRowGroups();
    this.groupRows = new long[blocks.size()];
    for (int g = 0; g < groupRows.length; g++) {
      groupRows[g] = blocks.get(g).getRowCount();
    }
  }

  /** The file's top-level field named {@code column} (see {@link ParquetColumnFiles#field}). */
  final Type field(String column) {
    return ParquetColumnFiles.field(reader.getFooter().getFileMetaData().getSchema(), column);
  }

  /** Reads only {@code field} from now on (its first leaf column); the schema of that one field. */
  final MessageType request(Type field) {
    MessageType schema = reader.getFooter().getFileMetaData().getSchema();
    MessageType requested = new MessageType(schema.getName(), field);
    descriptor = requested.getColumns().get(0);
    return requested;
  }

  /** The rows of all the file's row groups. */
  final long totalRows() {
    return Arrays.stream(groupRows).sum();
  }

  /** Moves forward to row {@code row} of the file (no earlier than {@link #nextRow}). */
  final void skipTo(long row) throws IOException {
    if (pages == null) {
      // Between row groups: skip the ones that end before the row, unread.
      while (nextGroup < groupRows.length && nextRow + groupRows[nextGroup] <= row) {
        nextRow += groupRows[nextGroup];
        nextGroup++;
      }
    }
    if (row > nextRow) {
      readRows(row - nextRow, null);
    }
  }

  /** Reads the next {@code count} rows into {@code out}, or past them when it is null. */
  abstract void readRows(long count, O out) throws IOException;

  /** Opens the next row group's column chunk and reads its dictionary page, if any. */
  final void nextGroup() throws IOException {
    if (nextGroup >= groupRows.length) {
      throw new IllegalStateException(
          "the file has " + nextRow + " rows, fewer than the batch asks for");
    }
    closeGroup();
    ColumnChunkMetaData chunk = chunk(reader.getRowGroups().get(nextGroup));
    if (source == null) {
      source = ChunkSource.open(file, pageBuffers);
    }
    pages =
        new StreamedPages(
            source,
            file.getLength(),
            descriptor,
            chunk,
            reader.getFooter().getFileMetaData().getCreatedBy(),
            codecs.getDecompressor(chunk.getCodec()),
            pageBuffers);
    groupEnd = nextRow + groupRows[nextGroup];
    nextGroup++;
    DictionaryPage page = pages.readDictionaryPage();
    dictionary = page == null ? null : page.getEncoding().initDictionary(descriptor, page);
    // A dictionary may keep pointing into its page's buffer: it stays taken until the group ends.
    dictionaryHeld.addAll(pageHeld);
    pageHeld.clear();
  }

  /** The row group's chunk of the requested column. */
  private ColumnChunkMetaData chunk(BlockMetaData group) {
    ColumnPath wanted = ColumnPath.get(descriptor.getPath());
    for (ColumnChunkMetaData chunk : group.getColumns()) {
      if (chunk.getPath().equals(wanted)) {
        return chunk;
      }
    }
    throw new IllegalStateException(
        "row group " + nextGroup + " has no chunk of column " + descriptor);
  }

  /**
   * The current row group's next data page, the previous page's buffers given back; null at the
   * group's end (then {@link #pages} is null) or between groups.
   */
  final DataPage nextDataPage() {
    if (pages == null) {
      return null;
    }
    releasePage();
    DataPage page = pages.readPage();
    if (page == null) {
      if (nextRow != groupEnd) {
        throw new IllegalStateException(
            "its row group ending at row " + groupEnd + " holds data for " + nextRow + " rows");
      }
      pages = null;
    }
    return page;
  }

  /** The hybrid-encoded levels of a v1 page (after their length), or null for another encoding. */
  static ByteBuffer hybridLevels(ByteBufferInputStream in, Encoding encoding, ValuesType type)
      throws IOException {
    if (encoding != Encoding.RLE) {
      return null;
    }
    ByteBuffer length = in.slice(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int bytes = length.getInt(length.position());
    if (bytes < 0 || bytes > in.available()) {
      throw new IllegalStateException(
          "the page's " + type + " levels claim " + bytes + " bytes of " + in.available());
    }
    return in.slice(bytes);
  }

  /** {@code count} levels of another encoding (BIT_PACKED), through parquet-mr's decoder. */
  final int[] decodedLevels(
      ByteBufferInputStream in, Encoding encoding, ValuesType type, int count, int[] reuse)
      throws IOException {
    ValuesReader decoder = encoding.getValuesReader(descriptor, type);
    decoder.initFromPage(count, in);
    int[] out = reuse.length >= count ? reuse : new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = decoder.readInteger();
    }
    return out;
  }

  /**
   * parquet-mr's decoder of a page's {@code present} values in {@code encoding}, through the row
   * group's dictionary for a dictionary encoding.
   */
  final ValuesReader valuesDecoder(Encoding encoding, int present, ByteBufferInputStream in)
      throws IOException {
    ValuesReader values;
    if (encoding.usesDictionary()) {
      if (dictionary == null) {
        throw new IllegalStateException("a dictionary-encoded page has no dictionary page");
      }
      values = encoding.getDictionaryBasedValuesReader(descriptor, ValuesType.VALUES, dictionary);
    } else {
      values = encoding.getValuesReader(descriptor, ValuesType.VALUES);
    }
    values.initFromPage(present, in);
    return values;
  }

  /** How many of the first {@code count} definition levels are {@code max} (a present value). */
  static int present(int[] defs, int count, int max) {
    int n = 0;
    for (int i = 0; i < count; i++) {
      if (defs[i] == max) {
        n++;
      }
    }
    return n;
  }

  /** Gives the current page's buffers back: it is read to its end. */
  void releasePage() {
    for (ByteBuffer b : pageHeld) {
      pageBuffers.release(b);
    }
    pageHeld.clear();
  }

  /** Gives the row group's buffers back. */
  private void closeGroup() {
    releasePage();
    for (ByteBuffer b : dictionaryHeld) {
      pageBuffers.release(b);
    }
    dictionaryHeld.clear();
    dictionary = null;
    pages = null;
  }

  @Override
  public void close() throws IOException {
    try (ParquetFileReader footer = reader;
        ChunkSource chunks = source) {
      closeGroup();
    }
  }
}
