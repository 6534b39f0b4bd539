package dev.softmetrics.job.tables;

import static dev.softmetrics.job.tables.Tables.SEQUENCES;

import dev.softmetrics.udfs.sequence.PositionBuckets;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One row of {@code sequences/}: a scored sequence, as a scorer builds it on an executor. Text is
 * held as Spark's {@link UTF8String}, what the writers take (Spark's, through {@link
 * #toInternalRow}, and the scoring tasks' own, {@code output.SequenceFileWriter}); a figure the
 * input does not give is held as the scorers count it: {@code chars} and {@code words} below 0,
 * {@code vocabSize} 0, a soft sum NaN. {@link #toInternalRow} and {@code SequenceFileWriter} are
 * the two conversions to the table's column order and nulls ({@code SequenceFilesTest} holds them
 * to the same rows); code that reads such rows back uses the ordinals below.
 *
 * @param softSums the sequence's sum over its tokens per {@link SoftColumn} (the table stores the
 *     mean per token), NaN where absent; read when the row is converted or written, so a scorer may
 *     reuse the array for its next row once it has handed this one on
 * @param positions the sequence's sums per position bucket, read when the row is converted or
 *     written (a scorer may reuse it likewise); null for none
 * @param extraLabels the values of the extra labels ({@code labels.extra}), placed after {@code
 *     tokenizer} in the row; empty for none
 */
public record SequenceRow(
    UTF8String runId,
    UTF8String sequenceId,
    UTF8String model,
    UTF8String tokenizer,
    UTF8String domain,
    long tokens,
    double nllSum,
    double meanNll,
    double ppl,
    long bytes,
    long chars,
    long words,
    double[] softSums,
    long vocabSize,
    UTF8String sourceFile,
    PositionBuckets.Sums positions,
    UTF8String[] extraLabels) {

  public static final int RUN_ID = SEQUENCES.ordinal(Columns.RUN_ID);
  public static final int SEQUENCE_ID = SEQUENCES.ordinal(Columns.SEQUENCE_ID);
  public static final int MODEL = SEQUENCES.ordinal(Columns.MODEL);
  public static final int TOKENIZER = SEQUENCES.ordinal(Columns.TOKENIZER);
  public static final int DOMAIN = SEQUENCES.ordinal(Columns.DOMAIN);
  public static final int TOKENS = SEQUENCES.ordinal(Columns.TOKENS);
  public static final int NLL_SUM = SEQUENCES.ordinal(Columns.NLL_SUM);
  public static final int MEAN_NLL = SEQUENCES.ordinal(Columns.MEAN_NLL);
  public static final int PPL = SEQUENCES.ordinal(Columns.PPL);
  public static final int BYTES = SEQUENCES.ordinal(Columns.BYTES);
  public static final int CHARS = SEQUENCES.ordinal(Columns.CHARS);
  public static final int WORDS = SEQUENCES.ordinal(Columns.WORDS);
  public static final int VOCAB_SIZE = SEQUENCES.ordinal(Columns.VOCAB_SIZE);
  public static final int SOURCE_FILE = SEQUENCES.ordinal(Columns.SOURCE_FILE);
  public static final int POSITION_TOKENS = SEQUENCES.ordinal(Columns.POSITION_TOKENS);
  public static final int POSITION_NLL_SUM = SEQUENCES.ordinal(Columns.POSITION_NLL_SUM);
  public static final int POSITION_ENTROPY_SUM = SEQUENCES.ordinal(Columns.POSITION_ENTROPY_SUM);

  /** The ordinal of each {@link SoftColumn}, by its own ordinal. */
  private static final int[] SOFT = softOrdinals();

  /** The ordinal of {@code column}'s column in a row without extra labels. */
  public static int soft(SoftColumn column) {
    return SOFT[column.ordinal()];
  }

  /** The columns of {@code sequences/} without extra labels. */
  public static final int WIDTH = SEQUENCES.columns().size();

  /**
   * Where the column at {@code ordinal} (one of the constants above) is in a row with {@code
   * extraLabels} extra labels, which come after {@code tokenizer}.
   */
  public static int ordinal(int ordinal, int extraLabels) {
    return ordinal > TOKENIZER ? ordinal + extraLabels : ordinal;
  }

  /** The extra labels of a row built by {@link #toInternalRow}, as text. */
  public static java.util.List<String> extraLabels(InternalRow row) {
    int extras = row.numFields() - WIDTH;
    java.util.List<String> out = new java.util.ArrayList<>(extras);
    for (int i = 0; i < extras; i++) {
      out.add(row.getUTF8String(TOKENIZER + 1 + i).toString());
    }
    return out;
  }

  /** No extra labels. */
  public static final UTF8String[] NO_EXTRA_LABELS = new UTF8String[0];

  /**
   * The row for Spark's writer, in the column order of {@code sequences/} with the extra labels
   * after {@code tokenizer} ({@link Tables#withExtraLabels}).
   */
  public InternalRow toInternalRow() {
    Object[] values = values();
    if (extraLabels.length == 0) {
      return new GenericInternalRow(values);
    }
    Object[] wider = new Object[values.length + extraLabels.length];
    int after = TOKENIZER + 1;
    System.arraycopy(values, 0, wider, 0, after);
    System.arraycopy(extraLabels, 0, wider, after, extraLabels.length);
    System.arraycopy(values, after, wider, after + extraLabels.length, values.length - after);
    return new GenericInternalRow(wider);
  }

  /** The values in the column order of {@code sequences/} without extra labels. */
  private Object[] values() {
    Object[] values = new Object[WIDTH];
    values[RUN_ID] = runId;
    values[SEQUENCE_ID] = sequenceId;
    values[MODEL] = model;
    values[TOKENIZER] = tokenizer;
    values[DOMAIN] = domain;
    values[TOKENS] = tokens;
    values[NLL_SUM] = nllSum;
    values[MEAN_NLL] = meanNll;
    values[PPL] = ppl;
    values[BYTES] = bytes;
    values[CHARS] = chars < 0 ? null : chars;
    values[WORDS] = words < 0 ? null : words;
    for (int c = 0; c < SoftColumn.COUNT; c++) {
      double sum = softSums[c];
      values[SOFT[c]] = Double.isNaN(sum) ? null : SoftColumn.meanPerToken(sum, tokens);
    }
    values[VOCAB_SIZE] = vocabSize == 0 ? null : vocabSize;
    values[SOURCE_FILE] = sourceFile;
    if (positions != null) {
      int buckets = positions.buckets();
      long[] bucketTokens = new long[buckets];
      double[] nll = new double[buckets];
      double[] entropy = new double[buckets];
      for (int k = 0; k < buckets; k++) {
        bucketTokens[k] = positions.tokens(k);
        nll[k] = positions.nll(k);
        entropy[k] = positions.entropy(k);
      }
      values[POSITION_TOKENS] = UnsafeArrayData.fromPrimitiveArray(bucketTokens);
      values[POSITION_NLL_SUM] = UnsafeArrayData.fromPrimitiveArray(nll);
      values[POSITION_ENTROPY_SUM] =
          positions.hasEntropy() ? UnsafeArrayData.fromPrimitiveArray(entropy) : null;
    }
    return values;
  }

  private static int[] softOrdinals() {
    int[] ordinals = new int[SoftColumn.COUNT];
    for (SoftColumn c : SoftColumn.values()) {
      ordinals[c.ordinal()] = SEQUENCES.ordinal(c.column());
    }
    return ordinals;
  }
}
