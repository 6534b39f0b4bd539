package dev.softmetrics.job.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * One file open in a task reader ({@link PageColumnReader}): one column of it, its row groups one
 * after the other (those before the wanted row skipped unread, by the footer's counts), each row
 * group's pages decompressed into the task's {@link PageBuffers} ({@link PageCodecs}) and given
 * back page by page, the dictionary page's when the group ends. Subclasses decode the pages.
 *
 * @param <O> what rows are read into
 */
abstract class ColumnFile<O> implements AutoCloseable {
  final String path;
  final ParquetFileReader reader;
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
  private PageReadStore group;

  /** The current row group's pages; null between groups. */
  PageReader pages;

  Dictionary dictionary;

  /** Opens {@code path}; the subclass then finds its column and {@link #request}s it. */
  ColumnFile(String path, Configuration conf, PageBuffers pageBuffers) throws IOException {
    this.path = path;
    this.pageBuffers = pageBuffers;
    this.reader =
        ParquetColumnFiles.open(path, conf, new PageCodecs(conf, pageBuffers, pageHeld::add));
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

  /** Reads only {@code field} from now on; the schema of that one field. */
  final MessageType request(Type field) {
    MessageType schema = reader.getFooter().getFileMetaData().getSchema();
    MessageType requested = new MessageType(schema.getName(), field);
    descriptor = requested.getColumns().get(0);
    reader.setRequestedSchema(requested);
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
  abstract void readRows(long count, O out) throws IOException;

  /** Opens the next row group's column chunk and reads its dictionary page, if any. */
  final void nextGroup() throws IOException {
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
    // A dictionary may keep pointing into its page's buffer: it stays taken until the group ends.
    dictionaryHeld.addAll(pageHeld);
    pageHeld.clear();
  }

  /** Gives the current page's buffers back: it is read to its end. */
  void releasePage() {
    for (ByteBuffer b : pageHeld) {
      pageBuffers.release(b);
    }
    pageHeld.clear();
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
