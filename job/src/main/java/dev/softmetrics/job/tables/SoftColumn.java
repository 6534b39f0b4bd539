package dev.softmetrics.job.tables;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/**
 * The soft-metric columns of {@code sequences/} and {@code corpus/}, in table order: each is a mean
 * per token (nats), the sum over a sequence's tokens divided by its token count, pooled over tokens
 * at corpus level. Which ones a row has depends on the input (docs/METRICS.md): logits give entropy
 * and, with {@code ref_logits}, the exact KLs and cross-entropy; the logprobs layout's {@code
 * token_entropies}, {@code ref_logprobs} and {@code top_logprobs} give entropy, the k1-k3 KL
 * estimates and the entropy bounds. Both tables take their soft columns from this one list.
 */
public enum SoftColumn {
  MEAN_ENTROPY("mean_entropy"),
  KL_FORWARD("kl_forward"),
  KL_REVERSE("kl_reverse"),
  CROSS_ENTROPY_REF("cross_entropy_ref"),
  KL_K1("kl_k1"),
  KL_K2("kl_k2"),
  KL_K3("kl_k3"),
  ENTROPY_LOWER("entropy_lower"),
  ENTROPY_UPPER("entropy_upper");

  /** The number of columns: the length of a per-sequence array of sums. */
  public static final int COUNT = values().length;

  private final TableColumn column;

  SoftColumn(String name) {
    this.column = TableColumn.optional(name, DataTypes.DoubleType);
  }

  /** The column in the output tables: a double, null where the input does not give the metric. */
  public TableColumn column() {
    return column;
  }

  /**
   * The KL columns {@code corpus/} also gives per sequence ({@code <name>_per_sequence}): the mean
   * over sequences of each sequence's sum over its tokens, the unit RL libraries log (TRL's {@code
   * objective/kl} is the k1 sum per sequence, averaged over sequences). In table order.
   */
  public static final List<SoftColumn> PER_SEQUENCE = List.of(KL_REVERSE, KL_K1, KL_K3);

  /** The column of this KL per sequence in {@code corpus/} (see {@link #PER_SEQUENCE}). */
  public TableColumn perSequenceColumn() {
    return TableColumn.optional(column.name() + "_per_sequence", DataTypes.DoubleType);
  }

  /** The per-sequence KL columns of {@code corpus/}, in table order. */
  public static TableColumn[] perSequenceColumns() {
    return PER_SEQUENCE.stream().map(SoftColumn::perSequenceColumn).toArray(TableColumn[]::new);
  }

  /** Every soft column, in table order. */
  public static TableColumn[] columns() {
    return Arrays.stream(values()).map(SoftColumn::column).toArray(TableColumn[]::new);
  }

  /**
   * A sequence's mean per token from its sum: what {@code sequences/} stores, and what the corpus
   * sums pool back. NaN (absent) stays NaN.
   */
  public static double meanPerToken(double sum, long tokens) {
    return sum / tokens;
  }

  /** A per-sequence array of sums with every column absent (NaN). */
  public static double[] none() {
    double[] sums = new double[COUNT];
    Arrays.fill(sums, Double.NaN);
    return sums;
  }
}
