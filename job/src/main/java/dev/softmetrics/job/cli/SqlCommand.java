package dev.softmetrics.job.cli;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.config.Versions;
import dev.softmetrics.job.query.OutputFolder;
import dev.softmetrics.job.query.OutputViews;
import dev.softmetrics.job.query.QueryPrinter;
import dev.softmetrics.job.query.SqlQuery;
import java.io.File;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code softmetrics sql "SELECT ..." --output DIR}: one Spark SQL query over an output folder,
 * with its tables as views named after them, printed as a table, CSV or JSON lines.
 */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description =
        "Run a Spark SQL query over an output folder; its tables (sequences, corpus, rejected,"
            + " runs, comparisons) are views named after them.")
public final class SqlCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "QUERY",
      description = "The query, e.g. \"SELECT * FROM corpus\".")
  String query;

  @Option(
      names = {"--output", "--dir"},
      required = true,
      paramLabel = "DIR",
      description = "The output folder of a score run.")
  String dir;

  @ArgGroup(exclusive = true)
  Style style = new Style();

  /** At most one of --csv and --json; an aligned table without either. */
  static final class Style {
    @Option(names = "--csv", description = "CSV with a header (empty for null).")
    boolean csv;

    @Option(names = "--json", description = "One JSON object per row (nulls kept).")
    boolean json;
  }

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      description = "Rows of the table format (default: 1000); --csv and --json print all.")
  int maxRows = 1000;

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

  @Override
  public Integer call() {
    if (maxRows < 1) {
      throw new IllegalArgumentException(
          String.format("Invalid --max-rows: %d (must be >= 1)", maxRows));
    }
    QueryPrinter.Format format =
        style.csv
            ? QueryPrinter.Format.CSV
            : style.json ? QueryPrinter.Format.JSON : QueryPrinter.Format.TABLE;
    SparkSession spark = Sessions.open(null, JobConfig.defaults(), QUERY_SESSION);
    try {
      OutputViews views = OutputFolder.registerViews(spark, dir);
      Dataset<Row> result = SqlQuery.plan(spark, views, query);
      try {
        QueryPrinter.print(result, format, maxRows, System.out);
      } catch (RuntimeException e) {
        throw SqlQuery.failure(e);
      }
      System.out.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }
}
