package dev.softmetrics.job.score;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.text.GivenCountsKernel;
import dev.softmetrics.udfs.text.GivenCountsKernel.Count;
import dev.softmetrics.udfs.text.GivenCountsKernel.Counts;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The counts a batch ships beside its text ({@code num_bytes}, {@code num_chars}, {@code
 * num_words}) as Arrow vectors, for {@link GivenCountsKernel}, and the message of a row whose
 * counts disagree with its text. Built only when the input has both text and a count column.
 */
final class GivenCounts implements AutoCloseable {
  private final Counts given;
  private final ColumnNames names;

  private GivenCounts(Counts given, ColumnNames names) {
    this.given = given;
    this.names = names;
  }

  /** The batch's given counts, or null when the input has no count column. */
  static GivenCounts of(
      ColumnarBatch batch,
      ScanColumns columns,
      ColumnNames names,
      int rows,
      BufferAllocator allocator) {
    if (columns.numBytes() == ScanColumns.ABSENT
        && columns.numChars() == ScanColumns.ABSENT
        && columns.numWords() == ScanColumns.ABSENT) {
      return null;
    }
    return new GivenCounts(
        new Counts(
            copy(batch, columns.numBytes(), rows, names.numBytes(), allocator),
            copy(batch, columns.numChars(), rows, names.numChars(), allocator),
            copy(batch, columns.numWords(), rows, names.numWords(), allocator)),
        names);
  }

  private static BigIntVector copy(
      ColumnarBatch batch, int column, int rows, String name, BufferAllocator allocator) {
    return column == ScanColumns.ABSENT
        ? null
        : LogitsBatchScorer.longs(batch.column(column), rows, name, allocator);
  }

  /** Rejects the rows whose given counts disagree with {@code fromText}. */
  void check(Counts fromText, IntVector status) {
    GivenCountsKernel.apply(fromText, given, status);
  }

  /** The message of a row rejected as {@link Rejection#TEXT_COUNT_MISMATCH}. */
  String describe(Counts fromText, int row, String where) {
    Count count = GivenCountsKernel.firstMismatch(fromText, given, row);
    if (count == null) {
      throw new IllegalStateException("Row " + where + " was rejected, but its counts agree");
    }
    String column =
        switch (count) {
          case BYTES -> names.numBytes();
          case CHARS -> names.numChars();
          case WORDS -> names.numWords();
        };
    String unit =
        switch (count) {
          case BYTES -> "UTF-8 bytes";
          case CHARS -> "code points";
          case WORDS -> "words";
        };
    return "Invalid "
        + column
        + " = "
        + given.of(count).get(row)
        + " in "
        + where
        + ": its "
        + names.text()
        + " has "
        + fromText.of(count).get(row)
        + " "
        + unit
        + " ("
        + Rejection.TEXT_COUNT_MISMATCH.rule()
        + ")";
  }

  @Override
  public void close() {
    for (BigIntVector v : new BigIntVector[] {given.bytes(), given.chars(), given.words()}) {
      if (v != null) {
        v.close();
      }
    }
  }
}
