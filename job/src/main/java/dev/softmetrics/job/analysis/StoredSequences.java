package dev.softmetrics.job.analysis;

import static org.apache.spark.sql.functions.col;

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

  /** Every row of {@code sequences/} under {@code output}: what comparisons are made over. */
  public static Dataset<Row> all(SparkSession spark, String output) {
    return spark.read().parquet(OutputTables.path(output, OutputTables.SEQUENCES));
  }

  /** The rows one run wrote: what its {@code corpus/} rows were aggregated from. */
  public static Dataset<Row> ofRun(SparkSession spark, String output, String runId) {
    return all(spark, output).where(col("run_id").equalTo(runId));
  }
}
