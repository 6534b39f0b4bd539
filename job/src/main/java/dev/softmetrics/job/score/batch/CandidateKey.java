package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.tables.SequenceRow;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The row a duplicate lookup ({@link PartitionScorer.Emit#KEYS}) emits for a scored row whose key
 * hash is a candidate: its source file and its row there, and the row's identity (sequence_id,
 * model, tokenizer, then its extra labels). Built and read back only here, so that its field order
 * is written down once.
 */
public final class CandidateKey {
  private CandidateKey() {}

  private static final int SOURCE_FILE = 0;
  private static final int SOURCE_ROW = 1;
  private static final int SEQUENCE_ID = 2;
  private static final int MODEL = 3;
  private static final int TOKENIZER = 4;

  /** The candidate row of {@code scored}, read at {@code sourceRow}. */
  public static InternalRow of(SequenceRow scored, long sourceRow) {
    UTF8String[] extras = scored.extraLabels();
    Object[] values = new Object[TOKENIZER + 1 + extras.length];
    values[SOURCE_FILE] = scored.sourceFile();
    values[SOURCE_ROW] = sourceRow;
    values[SEQUENCE_ID] = scored.sequenceId();
    values[MODEL] = scored.model();
    values[TOKENIZER] = scored.tokenizer();
    System.arraycopy(extras, 0, values, TOKENIZER + 1, extras.length);
    return new GenericInternalRow(values);
  }

  /** Where the candidate is. */
  public static DuplicateCopies.Copy copy(InternalRow key) {
    return new DuplicateCopies.Copy(
        key.getUTF8String(SOURCE_FILE).toString(), key.getLong(SOURCE_ROW));
  }

  /** The candidate's (sequence_id, model, tokenizer, extra labels...). */
  public static List<String> identity(InternalRow key) {
    List<String> identity = new ArrayList<>();
    for (int i = SEQUENCE_ID; i < key.numFields(); i++) {
      identity.add(key.getUTF8String(i).toString());
    }
    return identity;
  }
}
