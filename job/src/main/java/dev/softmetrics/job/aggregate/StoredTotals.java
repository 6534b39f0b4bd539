package dev.softmetrics.job.aggregate;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Group totals recomputed from stored {@code sequences/} rows, in Spark tasks. A run that adds to
 * or replaces part of an output folder recomputes {@code corpus/} this way, over the rows of every
 * run that are there; the sums are those the scoring pass computes for the same rows, to the bit
 * (see {@link GroupSums}), so a corpus row does not depend on which runs wrote its sequences.
 */
public final class StoredTotals {
  private StoredTotals() {}

  private static final List<String> COLUMNS =
      List.of(
          "model",
          "tokenizer",
          "domain",
          "tokens",
          "nll_sum",
          "bytes",
          "chars",
          "words",
          "vocab_size");

  /** The totals of the stored rows {@code sequences}, which has the {@code sequences/} schema. */
  public static RunTotals of(Dataset<Row> sequences) {
    List<String> columns = new ArrayList<>(COLUMNS);
    for (SoftColumn c : SoftColumn.values()) {
      columns.add(c.column());
    }
    Dataset<Row> needed =
        sequences.select(columns.stream().map(functions::col).toArray(Column[]::new));
    // Exact sums merge in any order: the result does not depend on the partitioning.
    return needed
        .javaRDD()
        .mapPartitions((FlatMapFunction<Iterator<Row>, RunTotals>) StoredTotals::sum)
        .fold(
            new RunTotals(),
            (a, b) -> {
              a.merge(b);
              return a;
            });
  }

  private static Iterator<RunTotals> sum(Iterator<Row> rows) {
    RunTotals totals = new RunTotals();
    double[] means = new double[SoftColumn.COUNT];
    int first = COLUMNS.size();
    while (rows.hasNext()) {
      Row r = rows.next();
      for (int c = 0; c < means.length; c++) {
        means[c] = r.isNullAt(first + c) ? Double.NaN : r.getDouble(first + c);
      }
      totals.addStoredSequence(
          r.getString(0),
          r.getString(1),
          r.getString(2),
          r.getLong(3),
          r.getDouble(4),
          r.getLong(5),
          r.isNullAt(6) ? -1 : r.getLong(6),
          r.isNullAt(7) ? -1 : r.getLong(7),
          means,
          r.isNullAt(8) ? 0 : r.getLong(8));
    }
    return List.of(totals).iterator();
  }
}
