package dev.softmetrics.job.analysis;

import dev.softmetrics.job.output.OutputTables;
import dev.softmetrics.job.output.SmallTables;
import dev.softmetrics.job.tables.Table;
import dev.softmetrics.job.tables.Tables;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code comparisons/} table: one row per pair of (model, tokenizer) and domain over the
 * sequences both scored ({@link Comparison}), replaced by each run and written from the driver; its
 * columns are {@link Tables#COMPARISONS}.
 */
public final class ComparisonsTable {
  private ComparisonsTable() {}

  /**
   * Replaces {@code comparisons/} under {@code output} with the comparisons, with the extra label
   * columns {@code extraLabels}; returns its rows.
   */
  public static List<Row> write(
      SparkSession spark,
      List<Comparison> comparisons,
      String output,
      String runId,
      List<String> extraLabels) {
    List<Row> rows = new ArrayList<>(comparisons.size());
    for (Comparison c : comparisons) {
      rows.add(
          RowFactory.create(
              OutputTables.withExtraLabels(
                  new Object[] {
                    runId,
                    c.modelA(),
                    c.tokenizerA(),
                    c.modelB(),
                    c.tokenizerB(),
                    c.domain(),
                    c.sequences(),
                    c.bitsPerByteA(),
                    c.bitsPerByteB(),
                    c.bitsPerByteDiff(),
                    c.bitsPerByteDiffLow(),
                    c.bitsPerByteDiffHigh(),
                    c.meanNllA(),
                    c.meanNllB(),
                    c.meanNllDiff(),
                    c.meanNllDiffLow(),
                    c.meanNllDiffHigh(),
                    c.better(),
                    c.betterTokenizer(),
                    c.replicates(),
                    c.confidence()
                  },
                  5,
                  c.extraLabels())));
    }
    Table table = Tables.withExtraLabels(Tables.COMPARISONS, extraLabels);
    SmallTables.replace(spark, rows, table.schema(), table.path(output));
    return rows;
  }
}
