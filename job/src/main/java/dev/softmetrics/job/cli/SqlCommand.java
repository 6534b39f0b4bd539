package dev.softmetrics.job.cli;

import dev.softmetrics.job.config.Versions;
import dev.softmetrics.job.query.DuckDbQuery;
import dev.softmetrics.job.query.LocalOutput;
import dev.softmetrics.job.query.ResultFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code softmetrics sql "SELECT ..." --output DIR}: one read-only query over an output folder,
 * with its tables as views named after them, printed as a table, CSV or JSON lines. A local folder
 * is queried by DuckDB in this process (about a second, no Spark session); a cluster URI by Spark
 * SQL ({@link SparkSql}). Both engines refuse anything but reading the folder's tables.
 */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description =
        "Run a read-only SQL query over an output folder; its tables (sequences, corpus,"
            + " rejected, runs, comparisons) are views named after them. DuckDB's SQL for a local"
            + " folder, Spark SQL for cluster URIs (see --engine).")
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

  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      description =
          "auto (default): DuckDB in this process for a local folder, Spark SQL for cluster URIs"
              + " (hdfs:, s3a:, ...); duckdb or spark to choose. Both are read-only.")
  Engine engine = Engine.auto;

  /** Which engine runs the query. */
  enum Engine {
    auto,
    duckdb,
    spark
  }

  @Override
  public Integer call() {
    if (maxRows < 1) {
      throw new IllegalArgumentException(
          String.format("Invalid --max-rows: %d (must be >= 1)", maxRows));
    }
    ResultFormat format =
        style.csv ? ResultFormat.CSV : style.json ? ResultFormat.JSON : ResultFormat.TABLE;
    if (usesDuckDb()) {
      DuckDbQuery.run(dir, query, format, maxRows, System.out);
    } else {
      SparkSql.run(dir, query, format, maxRows);
    }
    System.out.flush();
    return 0;
  }

  /**
   * DuckDB when asked, or for a local folder when its driver is on the class path ({@code
   * bin/softmetrics} puts it there; a spark-submit jar has none and keeps Spark SQL).
   */
  private boolean usesDuckDb() {
    boolean local = LocalOutput.isLocal(dir);
    if (engine == Engine.duckdb && !local) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid --engine duckdb for %s (must be a local folder; use --engine spark for"
                  + " cluster URIs)",
              dir));
    }
    if (engine == Engine.duckdb && !DUCKDB_PRESENT) {
      throw new IllegalArgumentException(
          "Cannot use --engine duckdb: org.duckdb:duckdb_jdbc is not on the class path (run"
              + " bin/softmetrics sql, or use --engine spark)");
    }
    return engine == Engine.duckdb || (engine == Engine.auto && local && DUCKDB_PRESENT);
  }

  private static final boolean DUCKDB_PRESENT = present("org.duckdb.DuckDBDriver");

  private static boolean present(String className) {
    try {
      Class.forName(className, false, SqlCommand.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
