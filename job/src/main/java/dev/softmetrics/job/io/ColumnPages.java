package dev.softmetrics.job.io;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * A list column that the scoring tasks read from the Parquet pages themselves ({@link
 * ListColumnReader}) instead of through Spark's scan: the column's name and the Hadoop
 * configuration Spark's reader would open the files with, sent to the executors once.
 */
public final class ListColumnPages implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String column;
  private final Broadcast<SerializableConfiguration> hadoop;

  private ListColumnPages(String column, Broadcast<SerializableConfiguration> hadoop) {
    this.column = column;
    this.hadoop = hadoop;
  }

  /** Column {@code column} of the files {@code spark} scans, with the session's Hadoop settings. */
  static ListColumnPages of(SparkSession spark, String column) {
    return new ListColumnPages(
        column,
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .broadcast(new SerializableConfiguration(spark.sessionState().newHadoopConf())));
  }

  /** The column's name, as the job's configuration gives it. */
  public String column() {
    return column;
  }

  /** A reader for one task; the task closes it ({@link TaskEnd}). */
  public ListColumnReader open() {
    return new ListColumnReader(column, hadoop.value().value());
  }
}
