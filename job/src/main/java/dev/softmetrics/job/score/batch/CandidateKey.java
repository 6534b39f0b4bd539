package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.tables.SequenceRow;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;

/**
 * The row a duplicate lookup ({@link PartitionScorer.Emit#KEYS}) emits for a scored row whose key
 * hash is a candidate: the row's (sequence_id, model, tokenizer), its source file and its row
 * there. Built and read back only here, so that its field order is written down once.
 */
public final class CandidateKey {
  private CandidateKey() {}

  private static final int SEQUENCE_ID = 0;
  private static final int MODEL = 1;
  private static final int TOKENIZER = 2;
  private static final int SOURCE_FILE = 3;
  private static final int SOURCE_ROW = 4;

  /** The candidate row of {@code scored}, a {@code sequences/} row, read at {@code sourceRow}. */
  public static InternalRow of(InternalRow scored, long sourceRow) {
    Object[] values = new Object[SOURCE_ROW + 1];
    values[SEQUENCE_ID] = scored.getUTF8String(SequenceRow.SEQUENCE_ID);
    values[MODEL] = scored.getUTF8String(SequenceRow.MODEL);
    values[TOKENIZER] = scored.getUTF8String(SequenceRow.TOKENIZER);
    values[SOURCE_FILE] = scored.getUTF8String(SequenceRow.SOURCE_FILE);
    values[SOURCE_ROW] = sourceRow;
    return new GenericInternalRow(values);
  }

  /** Where the candidate is. */
  public static DuplicateCopies.Copy copy(InternalRow key) {
    return new DuplicateCopies.Copy(
        key.getUTF8String(SOURCE_FILE).toString(), key.getLong(SOURCE_ROW));
  }

  /** The candidate's (sequence_id, model, tokenizer). */
  public static List<String> identity(InternalRow key) {
    return List.of(
        key.getUTF8String(SEQUENCE_ID).toString(),
        key.getUTF8String(MODEL).toString(),
        key.getUTF8String(TOKENIZER).toString());
  }
}
