package dev.softmetrics.job.score.batch;

import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * Label columns of an integer type (int8 to int64: lm-eval's {@code doc_id}, most data sets' ids)
 * read as their decimal strings, so that every label is text from here on and {@code 42} and {@code
 * "42"} are the same sequence. One string vector per such column and batch; the digits go through
 * one reused buffer, nothing is allocated per row.
 */
final class DecimalLabels {
  private DecimalLabels() {}

  /** True for the integer types a label column may have besides string. */
  static boolean isInteger(DataType type) {
    return type instanceof ByteType
        || type instanceof ShortType
        || type instanceof IntegerType
        || type instanceof LongType;
  }

  /**
   * The column's values as decimal strings (nulls stay null); the caller closes the vector.
   *
   * @param column a column of one of the types {@link #isInteger} accepts
   */
  static OnHeapColumnVector of(ColumnVector column, int rows) {
    OnHeapColumnVector out = new OnHeapColumnVector(Math.max(rows, 1), DataTypes.StringType);
    byte[] digits = new byte[20];
    DataType type = column.dataType();
    for (int row = 0; row < rows; row++) {
      if (column.isNullAt(row)) {
        out.putNull(row);
        continue;
      }
      long value =
          type instanceof LongType
              ? column.getLong(row)
              : type instanceof IntegerType
                  ? column.getInt(row)
                  : type instanceof ShortType ? column.getShort(row) : column.getByte(row);
      int start = format(value, digits);
      out.putByteArray(row, digits, start, digits.length - start);
    }
    return out;
  }

  /**
   * Writes {@code value}'s decimal digits (and sign) at the end of {@code digits}, returning where
   * they start. Works on the negative value so that {@link Long#MIN_VALUE} needs no special case.
   */
  static int format(long value, byte[] digits) {
    int at = digits.length;
    long rest = value < 0 ? value : -value;
    do {
      digits[--at] = (byte) ('0' - (rest % 10));
      rest /= 10;
    } while (rest != 0);
    if (value < 0) {
      digits[--at] = '-';
    }
    return at;
  }
}
