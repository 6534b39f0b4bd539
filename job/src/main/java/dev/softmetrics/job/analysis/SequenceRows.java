package dev.softmetrics.job.analysis;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The columns of {@code sequences/} that the bootstrap reads, in the order {@link #select} puts
 * them: enough to weight a sequence (its domain and id) and to resample the corpus sums (its NLL,
 * tokens and bytes).
 */
final class SequenceRows {
  private SequenceRows() {}

  static final int MODEL = 0;
  static final int TOKENIZER = 1;
  static final int DOMAIN = 2;
  static final int SEQUENCE_ID = 3;
  static final int NLL_SUM = 4;
  static final int TOKENS = 5;
  static final int BYTES = 6;

  /** The bootstrap's columns of rows in the {@code sequences/} schema. */
  static Dataset<Row> select(Dataset<Row> sequences) {
    return sequences.select(
        "model", "tokenizer", "domain", "sequence_id", "nll_sum", "tokens", "bytes");
  }

  /** The group of a row of {@link #select}. */
  static GroupKey group(Row row) {
    return new GroupKey(row.getString(MODEL), row.getString(TOKENIZER), row.getString(DOMAIN));
  }
}
