package dev.softmetrics.job.io;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * A column that the scoring tasks read from the Parquet pages themselves ({@link ListColumnReader}
 * for a list of numbers, {@link BinaryColumnReader} for a binary column) instead of through Spark's
 * scan: the column's name and the Hadoop configuration Spark's reader would open the files with,
 * sent to the executors once.
 */
public final class ColumnPages implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String column;
  private final Broadcast<SerializableConfiguration> hadoop;

  private ColumnPages(String column, Broadcast<SerializableConfiguration> hadoop) {
    this.column = column;
    this.hadoop = hadoop;
  }

  /** Column {@code column} of the files {@code spark} scans, with the session's Hadoop settings. */
  static ColumnPages of(SparkSession spark, String column) {
    return new ColumnPages(
        column,
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .broadcast(new SerializableConfiguration(spark.sessionState().newHadoopConf())));
  }

  /** Another column of the same files, with the same settings (sent once for both). */
  ColumnPages sameFiles(String other) {
    return new ColumnPages(other, hadoop);
  }

  /** The column's name, as the job's configuration gives it. */
  public String column() {
    return column;
  }

  /** A reader of the column as a list of numbers, for one task; the task closes it. */
  public ListColumnReader openList() {
    return new ListColumnReader(column, hadoop.value().value());
  }

  /** A reader of the column as binary values, for one task; the task closes it. */
  public BinaryColumnReader openBinary() {
    return new BinaryColumnReader(column, hadoop.value().value());
  }
}
