package dev.softmetrics.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Whether two output folders hold the same tables: every table compared as a multiset of rows with
 * DuckDB ({@code EXCEPT ALL} both ways), doubles exactly. What differs between two runs of the same
 * code by design is left out: run ids, times, the git commit, and where the files are: a source
 * file is named by its size in bytes (from {@code runs/}), so that two scorings of inputs written
 * again (file names with a random UUID) or in another folder compare equal; messages have the two
 * folders' paths and UUID file names masked, in text and lists of text alike.
 *
 * <p>Usage: {@code bench/same-tables.sh BEFORE_OUTPUT AFTER_OUTPUT}; exit status 0 when every table
 * is the same, 1 otherwise.
 */
public final class SameTables {
  private SameTables() {}

  private static final List<String> TABLES =
      List.of("sequences", "rejected", "corpus", "comparisons", "positions", "runs");
  private static final Set<String> VOLATILE =
      Set.of("run_id", "started_at", "ended_at", "stage_seconds", "git_commit", "file_key");

  public static void main(String[] args) throws SQLException {
    if (args.length != 2) {
      System.err.println("usage: bench/same-tables.sh BEFORE_OUTPUT AFTER_OUTPUT");
      System.exit(2);
    }
    int different = 0;
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      for (String table : TABLES) {
        boolean inA = Files.isDirectory(Path.of(args[0], table));
        boolean inB = Files.isDirectory(Path.of(args[1], table));
        if (!inA && !inB) {
          continue;
        }
        String line;
        if (inA != inB) {
          line = String.format("%-12s only in %s", table, inA ? args[0] : args[1]);
          different++;
        } else {
          String a = rows(duck, args[0], table);
          String b = rows(duck, args[1], table);
          long onlyA = count(duck, a + " EXCEPT ALL " + b);
          long onlyB = count(duck, b + " EXCEPT ALL " + a);
          boolean same = onlyA == 0 && onlyB == 0;
          different += same ? 0 : 1;
          line =
              String.format(
                  "%-12s rows %8d / %8d   only before %d, only after %d   %s",
                  table, count(duck, a), count(duck, b), onlyA, onlyB, same ? "SAME" : "DIFFERENT");
        }
        System.out.println(line);
      }
    }
    System.out.println(different == 0 ? "ALL TABLES THE SAME" : different + " TABLES DIFFER");
    System.exit(different == 0 ? 0 : 1);
  }

  /** The table's rows as a query, with the volatile columns left out or masked. */
  private static String rows(Connection duck, String output, String table) throws SQLException {
    String from = parquet(output, table);
    String runs = parquet(output, "runs");
    List<String> columns = new ArrayList<>();
    try (Statement st = duck.createStatement();
        ResultSet r = st.executeQuery("DESCRIBE SELECT * FROM " + from)) {
      while (r.next()) {
        String name = r.getString(1);
        String type = r.getString(2);
        if (VOLATILE.contains(name)) {
          continue;
        }
        String quoted = '"' + name + '"';
        if (name.equals("source_file")) {
          columns.add(
              "(SELECT max(f.bytes) FROM (SELECT unnest(input_files) AS f FROM "
                  + runs
                  + ") WHERE f.path = source_file)");
        } else if (name.equals("input_files") || name.equals("skipped_files")) {
          columns.add("list_sort(list_transform(" + quoted + ", f -> struct_pack(b := f.bytes)))");
        } else if (type.equals("VARCHAR")) {
          columns.add(masked(quoted, output));
        } else if (type.equals("VARCHAR[]")) {
          columns.add("list_transform(" + quoted + ", x -> " + masked("x", output) + ")");
        } else {
          columns.add(quoted);
        }
      }
    }
    return "SELECT " + String.join(", ", columns) + " FROM " + from;
  }

  /** The text with the output folder's path taken out and Spark's UUID file names masked. */
  private static String masked(String text, String output) {
    return "regexp_replace(replace("
        + text
        + ", '"
        + output
        + "', ''), 'part-[0-9]+-[0-9a-f-]{36}-c000', 'part-FILE', 'g')";
  }

  private static String parquet(String output, String table) {
    return "read_parquet('"
        + Path.of(output, table).toAbsolutePath()
        + "/**/*.parquet', hive_partitioning = true, union_by_name = true)";
  }

  private static long count(Connection duck, String query) throws SQLException {
    try (Statement st = duck.createStatement();
        ResultSet r = st.executeQuery("SELECT count(*) FROM (" + query + ")")) {
      r.next();
      return r.getLong(1);
    }
  }
}
