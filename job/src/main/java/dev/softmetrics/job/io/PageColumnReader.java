package dev.softmetrics.job.io;

import java.io.IOException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * What the task readers of one column ({@link ListColumnReader}, {@link BinaryColumnReader}) share:
 * a batch's rows taken run by run (consecutive rows of one file), one file open at a time ({@link
 * ColumnFile}: forward through its row groups, reopened for an earlier row), the values' Arrow
 * buffer kept from batch to batch, and failures reported as Spark's own {@code FAILED_READ_FILE}
 * naming the file as {@code _metadata.file_path} spells it - except a batch too large for one
 * vector ({@link BatchTooLarge}), which is the setting's fault, not the file's.
 *
 * @param <C> the reader's open file
 * @param <O> what a batch's rows are read into
 */
abstract class PageColumnReader<C extends ColumnFile<O>, O> implements AutoCloseable {
  final String column;
  final Configuration conf;
  final PageBuffers pageBuffers = new PageBuffers();
  private C cursor;
  private UTF8String cursorFile;

  /**
   * The values' buffer of the last batch, kept to be filled again once the batch's vector is closed
   * (a fresh buffer of a few MiB per batch costs its page faults each time); null before the first.
   */
  private ArrowBuf kept;

  PageColumnReader(String column, Configuration conf) {
    this.column = column;
    this.conf = conf;
  }

  /** Opens the file {@code path} for this reader's column. */
  abstract C open(String path) throws IOException;

  /**
   * Reads the batch's {@code rows} rows into {@code out}, in order: row {@code i} is the row {@code
   * rowIndex.getLong(i)} of the file {@code files.getUTF8String(i)}.
   */
  final void readBatch(ColumnVector files, ColumnVector rowIndex, int rows, O out) {
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
  }

  private void readRun(UTF8String file, long first, int count, O out) {
    String path = null;
    try {
      if (cursor == null || !file.equals(cursorFile) || first < cursor.nextRow) {
        closeCursor();
        path = file.toString();
        cursor = open(path);
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

  /**
   * The last batch's values buffer if no vector holds it any more (only this reader's reference is
   * left) and it is {@code allocator}'s; else a new one of its size.
   */
  final ArrowBuf reusableBuffer(BufferAllocator allocator) {
    if (kept != null
        && kept.refCnt() == 1
        && kept.getReferenceManager().getAllocator() == allocator) {
      return kept;
    }
    long size = kept == null ? 1 << 16 : kept.capacity();
    if (kept != null) {
      kept.close();
      kept = null;
    }
    return allocator.buffer(size);
  }

  /**
   * {@code data}, of which {@code used} bytes are filled, or a larger buffer holding the same bytes
   * (at least twice the size; {@code data} is then closed) if {@code more} bytes do not fit.
   */
  static ArrowBuf room(ArrowBuf data, long used, long more, BufferAllocator allocator) {
    if (used + more <= data.capacity()) {
      return data;
    }
    ArrowBuf grown = allocator.buffer(Math.max(used + more, data.capacity() * 2));
    MemoryUtil.copyMemory(data.memoryAddress(), grown.memoryAddress(), used);
    data.close();
    return grown;
  }

  /** Keeps {@code buffer} (the batch's values, as grown) for the next batch. */
  final void keep(ArrowBuf buffer) {
    kept = buffer;
  }

  private void closeQuietly() {
    try {
      closeCursor();
    } catch (IOException | RuntimeException ignored) {
      // The failure being reported is the one that counts.
    }
  }

  private void closeCursor() throws IOException {
    C open = cursor;
    cursor = null;
    cursorFile = null;
    if (open != null) {
      open.close();
    }
  }

  @Override
  public void close() throws IOException {
    if (kept != null) {
      kept.close();
      kept = null;
    }
    closeCursor();
    // A closed reader may stay reachable (from a finished task's objects): its pages must not.
    pageBuffers.clear();
  }
}
