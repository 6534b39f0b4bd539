package dev.softmetrics.job.score;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The row the scoring pass emits for every input row: scored (reason null) or rejected (reason and
 * message set). The {@code sequences/} and {@code rejected/} tables are projections of it.
 */
public final class ScoredRows {
  private ScoredRows() {}

  public static final String SEQUENCE_ID = "sequence_id";
  public static final String MODEL = "model";
  public static final String TOKENIZER = "tokenizer";
  public static final String DOMAIN = "domain";
  public static final String TOKENS = "tokens";
  public static final String NLL_SUM = "nll_sum";
  public static final String MEAN_NLL = "mean_nll";
  public static final String PPL = "ppl";
  public static final String BYTES = "bytes";
  public static final String CHARS = "chars";
  public static final String WORDS = "words";
  public static final String SOURCE_FILE = "source_file";
  public static final String SOURCE_ROW = "source_row";
  public static final String REASON = "reason";
  public static final String MESSAGE = "message";

  /** Field order of the emitted rows. */
  public static final StructType SCHEMA =
      new StructType()
          .add(SEQUENCE_ID, DataTypes.StringType, true)
          .add(MODEL, DataTypes.StringType, true)
          .add(TOKENIZER, DataTypes.StringType, true)
          .add(DOMAIN, DataTypes.StringType, true)
          .add(TOKENS, DataTypes.LongType, true)
          .add(NLL_SUM, DataTypes.DoubleType, true)
          .add(MEAN_NLL, DataTypes.DoubleType, true)
          .add(PPL, DataTypes.DoubleType, true)
          .add(BYTES, DataTypes.LongType, true)
          .add(CHARS, DataTypes.LongType, true)
          .add(WORDS, DataTypes.LongType, true)
          .add(SOURCE_FILE, DataTypes.StringType, false)
          .add(SOURCE_ROW, DataTypes.LongType, false)
          .add(REASON, DataTypes.StringType, true)
          .add(MESSAGE, DataTypes.StringType, true);
}
