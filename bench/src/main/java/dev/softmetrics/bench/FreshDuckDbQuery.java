package dev.softmetrics.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.duckdb.DuckDBDriver;

/**
 * The baseline of {@code bench/sql-vs-duckdb.sh}: what a user would otherwise run, a fresh JVM with
 * only DuckDB's JDBC jar that makes a view per table folder of an output ({@code
 * read_parquet('DIR/corpus/**&#47;*.parquet')}), runs one query and prints CSV. No read-only
 * checks, no listing of files: the least a JVM can do to answer.
 *
 * <p>{@code java -cp BENCH_JAR:DUCKDB_JAR dev.softmetrics.bench.FreshDuckDbQuery DIR "SELECT ..."}
 */
public final class FreshDuckDbQuery {
  private FreshDuckDbQuery() {}

  private static final List<String> TABLES =
      List.of("sequences", "corpus", "rejected", "runs", "comparisons");

  public static void main(String[] args) throws Exception {
    String dir = args[0];
    try (Connection duck = new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
        Statement statement = duck.createStatement()) {
      for (String table : TABLES) {
        if (Files.isDirectory(Path.of(dir, table))) {
          statement.execute(
              "CREATE VIEW "
                  + table
                  + " AS SELECT * FROM read_parquet('"
                  + Path.of(dir, table).toString().replace("'", "''")
                  + "/**/*.parquet', hive_partitioning = true, union_by_name = true)");
        }
      }
      try (ResultSet rows = statement.executeQuery(args[1])) {
        int columns = rows.getMetaData().getColumnCount();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          names.add(rows.getMetaData().getColumnLabel(i));
        }
        System.out.println(String.join(",", names));
        while (rows.next()) {
          List<String> cells = new ArrayList<>();
          for (int i = 1; i <= columns; i++) {
            cells.add(rows.getObject(i) == null ? "" : rows.getString(i));
          }
          System.out.println(String.join(",", cells));
        }
      }
    }
  }
}
