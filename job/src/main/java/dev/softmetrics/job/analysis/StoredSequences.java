package dev.softmetrics.job.analysis;

import dev.softmetrics.job.output.OutputTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code sequences/} table as written, for the analyses that run after the scoring pass: they
 * read its few numeric columns back rather than the input shards.
 */
public final class StoredSequences {
  private StoredSequences() {}

  /**
   * Every row of {@code sequences/} under {@code output}: the intervals of a group and the
   * comparisons cover every sequence stored for it.
   */
  public static Dataset<Row> all(SparkSession spark, String output) {
    return spark.read().parquet(OutputTables.path(output, OutputTables.SEQUENCES));
  }
}
