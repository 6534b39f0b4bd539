package dev.softmetrics.job.query;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * An in-memory DuckDB database whose only tables are views over a local output folder's Parquet
 * files, locked so that it stays read-only by construction: once the views exist, DuckDB may open
 * exactly those files ({@code allowed_paths}) and nothing else ({@code enable_external_access =
 * false}: no other file, folder, URL or database), loads no extension it does not hold, never
 * spills to disk ({@code temp_directory = ''}), and no setting can be changed again ({@code
 * lock_configuration}). Which statements run is {@link DuckDbQuery}'s check.
 *
 * <p>A view reads its files as Spark does: the columns by name across files, and the {@code
 * key=value} folders between the table's folder and a file (sequences/ and rejected/ have {@code
 * file_key=}) as string columns after the file's own, never folders above the table.
 */
final class DuckDbViews {
  private DuckDbViews() {}

  /** The file-name column DuckDB adds while a view derives its partition columns. */
  private static final String FILE_COLUMN = "__softmetrics_file";

  /** Opens the database over {@code output}'s tables; the caller closes it. */
  static Connection open(LocalOutput output) throws SQLException {
    Connection connection = driver().connect("jdbc:duckdb:", new Properties());
    try (Statement statement = connection.createStatement()) {
      List<String> allowed = new ArrayList<>();
      for (Map.Entry<String, List<Path>> table : output.files().entrySet()) {
        Path folder = output.root().resolve(table.getKey());
        statement.execute(viewSql(table.getKey(), folder, table.getValue()));
        table.getValue().forEach(f -> allowed.add(literal(f.toString())));
      }
      // Order matters: each setting below is refused once external access is off or locked.
      statement.execute("SET autoinstall_known_extensions = false");
      statement.execute("SET autoload_known_extensions = false");
      statement.execute("SET temp_directory = ''");
      statement.execute("SET allowed_paths = [" + String.join(", ", allowed) + "]");
      statement.execute("SET enable_external_access = false");
      statement.execute("SET lock_configuration = true");
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /**
   * DuckDB's driver, by name: {@code DriverManager} would first open every jar of the class path
   * (about 200 with Spark's) for the drivers they declare, half a second of start-up.
   */
  private static Driver driver() throws SQLException {
    try {
      return (Driver)
          Class.forName("org.duckdb.DuckDBDriver").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new SQLException("Cannot load DuckDB's JDBC driver: " + e, e);
    }
  }

  /** The view of one table over its files. */
  static String viewSql(String table, Path folder, List<Path> files) {
    List<String> keys = partitionKeys(folder, files.get(0));
    List<String> literals = new ArrayList<>();
    files.forEach(f -> literals.add(literal(f.toString())));
    String read =
        "read_parquet(["
            + String.join(", ", literals)
            + "], union_by_name = true, hive_partitioning = false"
            + (keys.isEmpty() ? "" : ", filename = " + literal(FILE_COLUMN))
            + ")";
    if (keys.isEmpty()) {
      return "CREATE VIEW " + identifier(table) + " AS SELECT * FROM " + read;
    }
    List<String> columns = new ArrayList<>();
    for (String key : keys) {
      String value =
          "regexp_extract(substr("
              + identifier(FILE_COLUMN)
              + ", "
              + (folder.toString().codePointCount(0, folder.toString().length()) + 2)
              + "), "
              + literal("(^|/)" + java.util.regex.Pattern.quote(key) + "=([^/]*)/")
              + ", 2)";
      columns.add("nullif(" + value + ", '__HIVE_DEFAULT_PARTITION__') AS " + identifier(key));
    }
    return "CREATE VIEW "
        + identifier(table)
        + " AS SELECT * EXCLUDE ("
        + identifier(FILE_COLUMN)
        + "), "
        + String.join(", ", columns)
        + " FROM "
        + read;
  }

  /** The keys of the {@code key=value} folders between {@code folder} and {@code file}. */
  private static List<String> partitionKeys(Path folder, Path file) {
    List<String> keys = new ArrayList<>();
    Path relative = folder.relativize(file.getParent() == null ? file : file.getParent());
    for (Path part : relative) {
      String name = part.toString();
      int eq = name.indexOf('=');
      if (eq > 0) {
        keys.add(name.substring(0, eq));
      }
    }
    return keys;
  }

  static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  static String identifier(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
