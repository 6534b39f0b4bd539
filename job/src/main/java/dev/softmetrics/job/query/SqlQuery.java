package dev.softmetrics.job.query;

import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs one read-only statement over the views of an output folder, turning the user's SQL mistakes
 * (syntax, unknown tables or columns, data errors such as a division by zero) into {@link
 * IllegalArgumentException}s with Spark's own first line.
 */
public final class SqlQuery {
  private SqlQuery() {}

  /**
   * Checks, without Spark, that {@code sql} only reads (see {@link ReadOnlySql}).
   *
   * @throws IllegalArgumentException otherwise
   */
  public static void checkReadOnly(String sql) {
    ReadOnlySql.check(sql);
  }

  /**
   * Plans {@code sql} (Spark parses and analyses it here; rows are computed when printed).
   *
   * @throws IllegalArgumentException for a statement that is not read-only or does not analyse
   */
  public static Dataset<Row> plan(SparkSession spark, String sql) {
    ReadOnlySql.check(sql);
    try {
      return spark.sql(sql);
    } catch (Exception e) {
      // Scala throws AnalysisException (and ParseException, a subclass) unchecked.
      if (e instanceof AnalysisException) {
        throw new IllegalArgumentException("Invalid SQL: " + firstLine(e.getMessage()), e);
      }
      throw e;
    }
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

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).trim();
  }
}
