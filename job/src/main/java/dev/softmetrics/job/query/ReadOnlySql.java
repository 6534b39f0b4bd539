package dev.softmetrics.job.query;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableOrView;
import org.apache.spark.sql.catalyst.plans.logical.DescribeRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ShowFunctions;
import org.apache.spark.sql.catalyst.plans.logical.ShowTables;
import org.apache.spark.sql.catalyst.plans.logical.ShowViews;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.execution.CommandExecutionMode;
import org.apache.spark.sql.execution.command.DescribeQueryCommand;
import org.apache.spark.sql.execution.command.ExplainCommand;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Which statements the {@code sql} command runs, decided on Spark's plans, never on the text: a
 * query that only reads the output's tables ({@link QueryShape} on the parsed plan, before anything
 * is analysed or run, then {@link PlanReads} on the analysed plan), {@code EXPLAIN} or {@code
 * DESCRIBE QUERY} of such a query, {@code DESCRIBE} of a view, and {@code SHOW TABLES}, {@code SHOW
 * VIEWS}, {@code SHOW FUNCTIONS}. Spark runs commands as soon as it is handed them, so the text is
 * only ever parsed until the statement has passed.
 */
final class ReadOnlySql {
  private ReadOnlySql() {}

  /**
   * The plan to run for {@code sql}: the analysed query, or the checked describing command.
   *
   * @throws IllegalArgumentException when the statement does not parse or analyse ("Invalid SQL:
   *     ...") or does more than read the views ("Cannot run the query: it ...")
   */
  static LogicalPlan checked(SparkSession spark, String sql, OutputViews views) {
    LogicalPlan parsed = invalidSqlIfThrown(() -> spark.sessionState().sqlParser().parsePlan(sql));
    if (parsed instanceof ExplainCommand explain) {
      analysedQuery(spark, explain.logicalPlan(), views);
      return parsed;
    }
    if (parsed instanceof DescribeQueryCommand describe) {
      analysedQuery(spark, describe.plan(), views);
      return parsed;
    }
    if (parsed instanceof DescribeRelation describe
        && describe.relation() instanceof UnresolvedTableOrView table) {
      List<String> name = CollectionConverters.asJava(table.multipartIdentifier());
      if (name.size() > 1) {
        throw refused("reads " + QueryShape.relationName(name), views);
      }
      return parsed;
    }
    if (parsed instanceof ShowTables
        || parsed instanceof ShowViews
        || parsed instanceof ShowFunctions) {
      return parsed;
    }
    return analysedQuery(spark, parsed, views);
  }

  private static LogicalPlan analysedQuery(
      SparkSession spark, LogicalPlan parsed, OutputViews views) {
    Optional<String> shape = QueryShape.refusal(parsed);
    if (shape.isPresent()) {
      throw refused(shape.get(), views);
    }
    LogicalPlan analysed =
        invalidSqlIfThrown(
            () -> spark.sessionState().executePlan(parsed, CommandExecutionMode.SKIP()).analyzed());
    Optional<String> reads = PlanReads.refusal(analysed, views);
    if (reads.isPresent()) {
      throw refused(reads.get(), views);
    }
    return analysed;
  }

  static IllegalArgumentException refused(String what, OutputViews views) {
    return new IllegalArgumentException(
        String.format(
            "Cannot run the query: it %s (sql runs read-only queries over the tables of %s: %s)",
            what, views.dir(), String.join(", ", views.names())));
  }

  /** A step of Spark's that may throw its (Java-checked) {@code ParseException}. */
  interface SparkStep<T> {
    T run() throws Exception;
  }

  /** Runs {@code step}, turning Spark's parse and analysis errors into one line of bad input. */
  static <T> T invalidSqlIfThrown(SparkStep<T> step) {
    try {
      return step.run();
    } catch (AnalysisException e) {
      // ParseException is a subclass; both are thrown unchecked by Scala code.
      throw new IllegalArgumentException("Invalid SQL: " + SqlQuery.firstLine(e.getMessage()), e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot plan the query: " + e.getMessage(), e);
    }
  }
}
