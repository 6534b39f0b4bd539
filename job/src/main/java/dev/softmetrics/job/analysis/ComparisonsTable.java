package dev.softmetrics.job.analysis;

import dev.softmetrics.job.output.OutputTables;
import dev.softmetrics.job.output.SmallTables;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code comparisons/} table: one row per pair of (model, tokenizer) and domain over the
 * sequences both scored ({@link Comparison}), replaced by each run and written from the driver.
 */
public final class ComparisonsTable {
  private ComparisonsTable() {}

  public static final String NAME = "comparisons";

  /** Schema of {@code comparisons/}. */
  public static final StructType SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("model_a", DataTypes.StringType, false)
          .add("tokenizer_a", DataTypes.StringType, false)
          .add("model_b", DataTypes.StringType, false)
          .add("tokenizer_b", DataTypes.StringType, false)
          .add("domain", DataTypes.StringType, false)
          .add("sequences", DataTypes.LongType, false)
          .add("bits_per_byte_a", DataTypes.DoubleType, false)
          .add("bits_per_byte_b", DataTypes.DoubleType, false)
          .add("bits_per_byte_diff", DataTypes.DoubleType, false)
          .add("bits_per_byte_diff_ci_low", DataTypes.DoubleType, true)
          .add("bits_per_byte_diff_ci_high", DataTypes.DoubleType, true)
          .add("mean_nll_a", DataTypes.DoubleType, false)
          .add("mean_nll_b", DataTypes.DoubleType, false)
          .add("mean_nll_diff", DataTypes.DoubleType, true)
          .add("mean_nll_diff_ci_low", DataTypes.DoubleType, true)
          .add("mean_nll_diff_ci_high", DataTypes.DoubleType, true)
          .add("better", DataTypes.StringType, true)
          .add("better_tokenizer", DataTypes.StringType, true)
          .add("bootstrap_replicates", DataTypes.IntegerType, true)
          .add("ci_confidence", DataTypes.DoubleType, true);

  /** Replaces {@code comparisons/} under {@code output} with {@code rows}. */
  public static void write(
      SparkSession spark, List<Comparison> comparisons, String output, String runId) {
    List<Row> rows = new ArrayList<>(comparisons.size());
    for (Comparison c : comparisons) {
      rows.add(
          RowFactory.create(
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
              c.confidence()));
    }
    SmallTables.replace(spark, rows, SCHEMA, OutputTables.path(output, NAME));
  }
}
