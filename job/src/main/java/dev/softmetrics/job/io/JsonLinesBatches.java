package dev.softmetrics.job.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The rows of JSON Lines files as columnar batches of the same form the Parquet reader hands the
 * scorer: off-heap column vectors (the Arrow views read their memory), the data columns, then the
 * folder labels, the file, the row index (the line's 0-based index) and the line's problem, if any.
 * One set of vectors is reused: a batch is valid until the next is asked for, as with the reader.
 */
final class JsonLinesBatches implements Iterator<ColumnarBatch>, AutoCloseable {
  private final Iterator<String> files;
  private final Map<String, String[]> folderLabels;
  private final Configuration hadoop;
  private final int batchRows;
  private final OffHeapColumnVector[] vectors;
  private final ColumnarBatch batch;
  private final JsonLinesRows rows;
  private final int dataColumns;
  private final int labelColumns;
  private JsonLines lines;
  private String file;
  private byte[] fileBytes;
  private boolean pending;

  /**
   * @param layout the batch's columns: {@code data}'s, then {@link #extraColumns}
   * @param labels per data column, true for a label column
   * @param folderLabels each file's folder label values, in the layout's order
   */
  JsonLinesBatches(
      List<String> files,
      StructType layout,
      int dataColumns,
      boolean[] labels,
      Map<String, String[]> folderLabels,
      Configuration hadoop,
      int batchRows) {
    this.files = files.iterator();
    this.folderLabels = folderLabels;
    this.hadoop = hadoop;
    this.batchRows = batchRows;
    this.dataColumns = dataColumns;
    this.labelColumns = layout.fields().length - dataColumns - 3;
    this.vectors = OffHeapColumnVector.allocateColumns(batchRows, layout);
    this.batch = new ColumnarBatch(vectors);
    WritableColumnVector[] data = new WritableColumnVector[dataColumns];
    System.arraycopy(vectors, 0, data, 0, dataColumns);
    StructType dataSchema = new StructType(Arrays.copyOf(layout.fields(), dataColumns));
    this.rows = new JsonLinesRows(dataSchema, data, labels);
  }

  @Override
  public boolean hasNext() {
    try {
      while (!pending) {
        if (lines != null && lines.next()) {
          pending = true;
        } else if (!openNext()) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read JSON Lines file " + file, e);
    }
  }

  @Override
  public ColumnarBatch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    for (OffHeapColumnVector v : vectors) {
      v.reset();
    }
    rows.reset();
    int row = 0;
    while (row < batchRows && hasNext()) {
      pending = false;
      String problem = rows.write(lines.bytes(), lines.length(), row);
      putFileColumns(row, problem);
      row++;
    }
    batch.setNumRows(row);
    return batch;
  }

  private void putFileColumns(int row, String problem) {
    String[] values = folderLabels.get(file);
    for (int l = 0; l < labelColumns; l++) {
      String value = values == null ? null : values[l];
      if (value == null) {
        vectors[dataColumns + l].putNull(row);
      } else {
        vectors[dataColumns + l].putByteArray(row, value.getBytes(StandardCharsets.UTF_8));
      }
    }
    int at = dataColumns + labelColumns;
    vectors[at].putByteArray(row, fileBytes);
    vectors[at + 1].putLong(row, lines.index());
    if (problem == null) {
      vectors[at + 2].putNull(row);
    } else {
      vectors[at + 2].putByteArray(row, problem.getBytes(StandardCharsets.UTF_8));
    }
  }

  private boolean openNext() throws IOException {
    if (lines != null) {
      lines.close();
      lines = null;
    }
    if (!files.hasNext()) {
      return false;
    }
    file = files.next();
    fileBytes = file.getBytes(StandardCharsets.UTF_8);
    lines = JsonLines.open(file, hadoop);
    return true;
  }

  @Override
  public void close() {
    try {
      if (lines != null) {
        lines.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close JSON Lines file " + file, e);
    } finally {
      batch.close();
    }
  }
}
