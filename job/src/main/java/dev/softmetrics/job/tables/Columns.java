package dev.softmetrics.job.tables;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;

/**
 * The columns of {@code sequences/} and {@code rejected/}, and those the other tables share with
 * them or with each other, declared once; the columns that only {@code corpus/}, {@code runs/} or
 * {@code comparisons/} has are declared with its table in {@link Tables}. The soft-metric columns
 * are {@link SoftColumn}.
 */
public final class Columns {
  private Columns() {}

  /** The run that wrote the row. */
  public static final TableColumn RUN_ID = TableColumn.required("run_id", StringType);

  public static final TableColumn SEQUENCE_ID = TableColumn.required("sequence_id", StringType);
  public static final TableColumn MODEL = TableColumn.required("model", StringType);
  public static final TableColumn TOKENIZER = TableColumn.required("tokenizer", StringType);
  public static final TableColumn DOMAIN = TableColumn.required("domain", StringType);

  /** Scored tokens: of a sequence, or summed over a group. */
  public static final TableColumn TOKENS = TableColumn.required("tokens", LongType);

  /** -sum ln p, in nats. */
  public static final TableColumn NLL_SUM = TableColumn.required("nll_sum", DoubleType);

  public static final TableColumn MEAN_NLL = TableColumn.required("mean_nll", DoubleType);
  public static final TableColumn PPL = TableColumn.required("ppl", DoubleType);
  public static final TableColumn BYTES = TableColumn.required("bytes", LongType);
  public static final TableColumn CHARS = TableColumn.optional("chars", LongType);
  public static final TableColumn WORDS = TableColumn.optional("words", LongType);
  public static final TableColumn VOCAB_SIZE = TableColumn.optional("vocab_size", LongType);

  /** The input file of a row (of a sequence's first chunk, in the logits layout). */
  public static final TableColumn SOURCE_FILE = TableColumn.required("source_file", StringType);

  /** A row's position in its input file, from 0. */
  public static final TableColumn SOURCE_ROW = TableColumn.required("source_row", LongType);

  /** A rejected row's {@link dev.softmetrics.udfs.Rejection} code. */
  public static final TableColumn REASON = TableColumn.required("reason", StringType);

  public static final TableColumn MESSAGE = TableColumn.required("message", StringType);

  /** Sequences of a group, or of a pair's shared sequences. */
  public static final TableColumn SEQUENCES = TableColumn.required("sequences", LongType);

  /** Bootstrap replicates behind a row's intervals. */
  public static final TableColumn BOOTSTRAP_REPLICATES =
      TableColumn.optional("bootstrap_replicates", IntegerType);

  /** The intervals' coverage. */
  public static final TableColumn CI_CONFIDENCE = TableColumn.optional("ci_confidence", DoubleType);

  /**
   * {@code sequences/}: scored tokens per position bucket, element k for bucket k (positions 2^k -
   * 1 to 2^(k+1) - 2), up to the sequence's last; what {@code positions/} is recomputed from. Null
   * in rows written before schema version 3.
   */
  public static final TableColumn POSITION_TOKENS =
      TableColumn.optional("position_tokens", createArrayType(LongType, false));

  /** {@code sequences/}: the NLL (nats) per position bucket, as {@link #POSITION_TOKENS}. */
  public static final TableColumn POSITION_NLL_SUM =
      TableColumn.optional("position_nll_sum", createArrayType(DoubleType, false));

  /** {@code sequences/}: the entropy (nats) per position bucket; null without entropies. */
  public static final TableColumn POSITION_ENTROPY_SUM =
      TableColumn.optional("position_entropy_sum", createArrayType(DoubleType, false));
}
