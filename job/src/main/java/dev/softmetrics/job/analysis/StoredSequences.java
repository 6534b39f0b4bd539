package dev.softmetrics.job.analysis;

import dev.softmetrics.job.output.FileKeys;
import dev.softmetrics.job.tables.Tables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

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
    // The schema is the job's own: given, so that Spark does not run a job to read a footer for it.
    return spark.read().schema(SCHEMA).parquet(Tables.SEQUENCES.path(output));
  }

  /**
   * {@link #all(SparkSession, String)} of a table written with the extra label columns {@code
   * extraLabels} ({@code labels.extra}).
   */
  public static Dataset<Row> all(SparkSession spark, String output, List<String> extraLabels) {
    StructType schema =
        Tables.withExtraLabels(Tables.SEQUENCES, extraLabels)
            .schema()
            .add(FileKeys.COLUMN, DataTypes.StringType, true)
            .asNullable();
    return spark.read().schema(schema).parquet(Tables.SEQUENCES.path(output));
  }

  /** {@code sequences/} as stored: its columns, then the partition column. */
  private static final StructType SCHEMA =
      Tables.SEQUENCES.schema().add(FileKeys.COLUMN, DataTypes.StringType, true).asNullable();
}
