package dev.softmetrics.job.cli;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.query.OutputFolder;
import dev.softmetrics.job.query.OutputViews;
import dev.softmetrics.job.query.QueryPrinter;
import dev.softmetrics.job.query.ResultFormat;
import dev.softmetrics.job.query.SqlQuery;
import java.io.File;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark engine of {@code sql}: a quick embedded (or submitted) session, the output's tables as
 * views, the plan-level read-only check of {@link SqlQuery}. Kept apart from {@link SqlCommand} so
 * that the DuckDB engine never loads a Spark class.
 */
final class SparkSql {
  private SparkSql() {}

  /**
   * Settings for a quick embedded session: no catalog files in the working folder, one shuffle
   * partition per core at most (a query of these small tables needs no more), partition folder
   * names read as strings, no warning that a wide table's plan was shortened.
   */
  private static final Map<String, String> QUERY_SESSION =
      Map.of(
          "spark.sql.warehouse.dir",
          new File(System.getProperty("java.io.tmpdir"), "softmetrics-sql-warehouse")
              .toURI()
              .toString(),
          "spark.sql.shuffle.partitions",
          "2",
          "spark.sql.sources.partitionColumnTypeInference.enabled",
          "false",
          "spark.sql.debug.maxToStringFields",
          "1000");

  static void run(String dir, String query, ResultFormat format, int maxRows) {
    SparkSession spark = Sessions.open(null, JobConfig.defaults(), QUERY_SESSION);
    try {
      OutputViews views = OutputFolder.registerViews(spark, dir);
      Dataset<Row> result = SqlQuery.plan(spark, views, query);
      try {
        QueryPrinter.print(result, format, maxRows, System.out);
      } catch (RuntimeException e) {
        throw SqlQuery.failure(e);
      }
    } finally {
      spark.stop();
    }
  }
}
