package dev.softmetrics.job.query;

import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * Runs one read-only statement over the views of an output folder, turning the user's SQL mistakes
 * (syntax, unknown tables or columns, data errors such as a division by zero) into {@link
 * IllegalArgumentException}s with Spark's own first line.
 */
public final class SqlQuery {
  private SqlQuery() {}

  /**
   * Checks and plans {@code sql} over {@code views} (see {@link ReadOnlySql}); rows are computed
   * when printed. Paths as table names ({@code parquet.`/path`}) are also turned off in the
   * session, a second wall behind the plan checks.
   *
   * @throws IllegalArgumentException for a statement that is not read-only or does not analyse
   */
  public static Dataset<Row> plan(SparkSession spark, OutputViews views, String sql) {
    spark.conf().set("spark.sql.runSQLOnFiles", "false");
    org.apache.spark.sql.classic.SparkSession session =
        (org.apache.spark.sql.classic.SparkSession) spark;
    LogicalPlan plan = ReadOnlySql.checked(session, sql, views);
    return ReadOnlySql.invalidSqlIfThrown(
        () -> org.apache.spark.sql.classic.Dataset.ofRows(session, plan));
  }

  /**
   * Rethrows a failure while computing rows as bad input when Spark blames the data or the query
   * (SQL states of class 22, data exceptions, and 42, syntax or access), as it was otherwise.
   */
  public static RuntimeException failure(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SparkThrowable spark && spark.getSqlState() != null) {
        String state = spark.getSqlState();
        if (state.startsWith("22") || state.startsWith("42")) {
          return new IllegalArgumentException(
              "Cannot run the query: " + firstLine(t.getMessage()), e);
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return e;
  }

  /** The first line that is not blank: a parse error's message starts with a line break. */
  static String firstLine(String message) {
    return message == null
        ? "(no message)"
        : message.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse("");
  }
}
