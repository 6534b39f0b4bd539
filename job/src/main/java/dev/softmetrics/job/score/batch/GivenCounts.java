package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.text.GivenCountsKernel;
import dev.softmetrics.udfs.text.GivenCountsKernel.Count;
import dev.softmetrics.udfs.text.GivenCountsKernel.Counts;
import dev.softmetrics.udfs.text.GivenCountsKernel.Violation;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The counts a batch ships ({@code num_bytes}, {@code num_chars}, {@code num_words}) as Arrow
 * vectors, for {@link GivenCountsKernel}, and what the message of a row names when its counts no
 * text can have or disagree with its text ({@link RejectionMessages} words it). Built when the
 * input has a count column.
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
        : BatchView.longs(batch.column(column), rows, name, allocator);
  }

  /**
   * Rejects the rows whose given counts no text can have, then, when the input has text ({@code
   * fromText} not null), the rows whose given counts disagree with it.
   */
  void check(Counts fromText, IntVector status) {
    GivenCountsKernel.validate(given, status);
    if (fromText != null) {
      GivenCountsKernel.apply(fromText, given, status);
    }
  }

  /** The message of a row rejected as {@link Rejection#INVALID_GIVEN_COUNT}. */
  String describeInvalid(int row, String where) {
    Violation violation = GivenCountsKernel.firstViolation(given, row);
    if (violation == null) {
      throw new IllegalStateException("Row " + where + " was rejected, but its counts are valid");
    }
    long beside =
        switch (violation) {
          case CHARS_ABOVE_BYTES -> given.bytes().get(row);
          case BYTES_ABOVE_FOUR_CHARS -> given.chars().get(row);
          case NEGATIVE_BYTES, NEGATIVE_CHARS, NO_WORDS -> 0;
        };
    return RejectionMessages.invalidGivenCount(
        names, violation, given.of(violation.count()).get(row), beside, where);
  }

  /** The message of a row rejected as {@link Rejection#TEXT_COUNT_MISMATCH}. */
  String describe(Counts fromText, int row, String where) {
    Count count = GivenCountsKernel.firstMismatch(fromText, given, row);
    if (count == null) {
      throw new IllegalStateException("Row " + where + " was rejected, but its counts agree");
    }
    return RejectionMessages.textCountMismatch(
        names, count, given.of(count).get(row), fromText.of(count).get(row), where);
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
