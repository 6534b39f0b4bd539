package dev.softmetrics.job.aggregate;

import dev.softmetrics.job.tables.Columns;
import dev.softmetrics.job.tables.Projection;
import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Group totals recomputed from stored {@code sequences/} rows, in Spark tasks. A run that adds to
 * or replaces part of an output folder recomputes {@code corpus/} this way, over the rows of every
 * run that are there; the sums are those the scoring pass computes for the same rows, to the bit
 * (see {@link RunningGroupTotals}), so a corpus row does not depend on which runs wrote its
 * sequences.
 */
public final class StoredGroupTotals {
  private StoredGroupTotals() {}

  /** What is read of each stored row: its group, counts and soft columns. */
  private static final Projection READ =
      Projection.of(
              Columns.MODEL,
              Columns.TOKENIZER,
              Columns.DOMAIN,
              Columns.TOKENS,
              Columns.NLL_SUM,
              Columns.BYTES,
              Columns.CHARS,
              Columns.WORDS,
              Columns.VOCAB_SIZE)
          .and(SoftColumn.columns())
          .and(Columns.POSITION_TOKENS, Columns.POSITION_NLL_SUM, Columns.POSITION_ENTROPY_SUM);

  private static final int MODEL = READ.ordinal(Columns.MODEL);
  private static final int TOKENIZER = READ.ordinal(Columns.TOKENIZER);
  private static final int DOMAIN = READ.ordinal(Columns.DOMAIN);
  private static final int TOKENS = READ.ordinal(Columns.TOKENS);
  private static final int NLL_SUM = READ.ordinal(Columns.NLL_SUM);
  private static final int BYTES = READ.ordinal(Columns.BYTES);
  private static final int CHARS = READ.ordinal(Columns.CHARS);
  private static final int WORDS = READ.ordinal(Columns.WORDS);
  private static final int VOCAB_SIZE = READ.ordinal(Columns.VOCAB_SIZE);
  private static final int POSITION_TOKENS = READ.ordinal(Columns.POSITION_TOKENS);
  private static final int POSITION_NLL_SUM = READ.ordinal(Columns.POSITION_NLL_SUM);
  private static final int POSITION_ENTROPY_SUM = READ.ordinal(Columns.POSITION_ENTROPY_SUM);

  /** The ordinal of each {@link SoftColumn}, by its own ordinal. */
  private static final int[] SOFT =
      Arrays.stream(SoftColumn.values()).mapToInt(c -> READ.ordinal(c.column())).toArray();

  /**
   * The totals of the stored rows {@code sequences}, which has the {@code sequences/} schema with
   * the extra label columns {@code extraLabels}.
   */
  public static PassTotals of(Dataset<Row> sequences, List<String> extraLabels) {
    Dataset<Row> needed = READ.select(sequences, extraLabels);
    // Exact sums merge in any order: the result does not depend on the partitioning.
    return needed
        .javaRDD()
        .mapPartitions((FlatMapFunction<Iterator<Row>, PassTotals>) StoredGroupTotals::sum)
        .fold(
            new PassTotals(),
            (a, b) -> {
              a.merge(b);
              return a;
            });
  }

  private static Iterator<PassTotals> sum(Iterator<Row> rows) {
    PassTotals totals = new PassTotals();
    double[] means = new double[SoftColumn.COUNT];
    PositionBuckets.Sums positions = new PositionBuckets.Sums();
    while (rows.hasNext()) {
      Row r = rows.next();
      for (int c = 0; c < means.length; c++) {
        means[c] = r.isNullAt(SOFT[c]) ? Double.NaN : r.getDouble(SOFT[c]);
      }
      totals.addStoredSequence(
          r.getString(MODEL),
          r.getString(TOKENIZER),
          r.getString(DOMAIN),
          extraLabels(r),
          r.getLong(TOKENS),
          r.getDouble(NLL_SUM),
          r.getLong(BYTES),
          r.isNullAt(CHARS) ? -1 : r.getLong(CHARS),
          r.isNullAt(WORDS) ? -1 : r.getLong(WORDS),
          means,
          r.isNullAt(VOCAB_SIZE) ? 0 : r.getLong(VOCAB_SIZE),
          positions(r, positions));
    }
    return List.of(totals).iterator();
  }

  /** The row's extra label values, selected after {@link #READ}'s columns. */
  private static List<String> extraLabels(Row r) {
    if (r.size() == READ.size()) {
      return List.of();
    }
    List<String> extras = new java.util.ArrayList<>(r.size() - READ.size());
    for (int i = READ.size(); i < r.size(); i++) {
      extras.add(r.getString(i));
    }
    return extras;
  }

  /** The row's stored position buckets, in {@code into}; null for a row stored without them. */
  private static PositionBuckets.Sums positions(Row r, PositionBuckets.Sums into) {
    if (r.isNullAt(POSITION_TOKENS) || r.isNullAt(POSITION_NLL_SUM)) {
      return null;
    }
    into.clear();
    List<Long> tokens = r.getList(POSITION_TOKENS);
    List<Double> nll = r.getList(POSITION_NLL_SUM);
    List<Double> entropy =
        r.isNullAt(POSITION_ENTROPY_SUM) ? null : r.getList(POSITION_ENTROPY_SUM);
    for (int k = 0; k < tokens.size(); k++) {
      into.addBucket(k, tokens.get(k), nll.get(k), entropy == null ? Double.NaN : entropy.get(k));
    }
    return into;
  }
}
