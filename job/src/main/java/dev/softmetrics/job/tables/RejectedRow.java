package dev.softmetrics.job.tables;

import static dev.softmetrics.job.tables.Tables.REJECTED;

import dev.softmetrics.udfs.Rejection;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One row of {@code rejected/}: an input row that was not scored, with its labels as read (null
 * when the input has none), where it is, why, and the message that says so. {@link #toInternalRow}
 * is the one conversion to the table's column order; code that reads such rows back uses the
 * ordinals below.
 */
public record RejectedRow(
    UTF8String runId,
    UTF8String sequenceId,
    UTF8String model,
    UTF8String tokenizer,
    UTF8String domain,
    UTF8String sourceFile,
    long sourceRow,
    Rejection reason,
    String message) {

  public static final int RUN_ID = REJECTED.ordinal(Columns.RUN_ID);
  public static final int SEQUENCE_ID = REJECTED.ordinal(Columns.SEQUENCE_ID);
  public static final int MODEL = REJECTED.ordinal(Columns.MODEL);
  public static final int TOKENIZER = REJECTED.ordinal(Columns.TOKENIZER);
  public static final int DOMAIN = REJECTED.ordinal(Columns.DOMAIN);
  public static final int SOURCE_FILE = REJECTED.ordinal(Columns.SOURCE_FILE);
  public static final int SOURCE_ROW = REJECTED.ordinal(Columns.SOURCE_ROW);
  public static final int REASON = REJECTED.ordinal(Columns.REASON);
  public static final int MESSAGE = REJECTED.ordinal(Columns.MESSAGE);

  private static final int WIDTH = REJECTED.columns().size();

  /** The row for Spark's writer, in the column order of {@code rejected/}. */
  public InternalRow toInternalRow() {
    Object[] values = new Object[WIDTH];
    values[RUN_ID] = runId;
    values[SEQUENCE_ID] = sequenceId;
    values[MODEL] = model;
    values[TOKENIZER] = tokenizer;
    values[DOMAIN] = domain;
    values[SOURCE_FILE] = sourceFile;
    values[SOURCE_ROW] = sourceRow;
    values[REASON] = UTF8String.fromString(reason.code());
    values[MESSAGE] = UTF8String.fromString(message);
    return new GenericInternalRow(values);
  }
}
