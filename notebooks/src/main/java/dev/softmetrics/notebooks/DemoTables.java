package dev.softmetrics.notebooks;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The demo's tables for the notebooks: one DuckDB view per run and table ({@code heldout_corpus},
 * {@code rollouts_sequences}, {@code logits_rejected}, ..., and {@code <run>_input} for the input
 * shards), and the few ways the notebooks read them: as printed tables, columns or single numbers.
 *
 * <p>The tables are those {@code bin/softmetrics demo} writes: under {@value #ENV} if that is set,
 * else under {@code ../demo-output} (the repository's, seen from {@code notebooks/}).
 */
public final class DemoTables implements AutoCloseable {
  /** The environment variable that names the demo's output folder. */
  public static final String ENV = "SOFTMETRICS_DEMO_OUTPUT";

  /** The demo's runs, each a folder of tables. */
  public static final List<String> RUNS = List.of("heldout", "rollouts", "logits");

  /** The tables of each run, and {@code input} for its input shards. */
  static final List<String> TABLES =
      List.of("sequences", "corpus", "rejected", "runs", "comparisons", "input");

  private final Path root;
  private final Connection duck;

  private DemoTables(Path root, Connection duck) {
    this.root = root;
    this.duck = duck;
  }

  /** The tables under {@value #ENV}, or {@code ../demo-output}. */
  public static DemoTables open() {
    String dir = System.getenv(ENV);
    return open(dir == null || dir.isBlank() ? Path.of("..", "demo-output") : Path.of(dir));
  }

  /**
   * The tables under {@code root}.
   *
   * @throws IllegalStateException if a run or one of its tables is missing
   */
  public static DemoTables open(Path root) {
    for (String run : RUNS) {
      for (String table : TABLES) {
        Path dir = root.resolve(run).resolve(table);
        if (!Files.isDirectory(dir)) {
          throw new IllegalStateException(
              String.format(
                  "Cannot read the demo's tables: no %s under %s (run bin/softmetrics demo, or set"
                      + " %s to its --output folder)",
                  dir, root.toAbsolutePath().normalize(), ENV));
        }
      }
    }
    try {
      Connection duck = DriverManager.getConnection("jdbc:duckdb:");
      try (Statement st = duck.createStatement()) {
        for (String run : RUNS) {
          for (String table : TABLES) {
            String glob =
                root.resolve(run).resolve(table).resolve("**").resolve("*.parquet").toString();
            st.execute(
                String.format(
                    "CREATE VIEW %s_%s AS SELECT * FROM read_parquet('%s')",
                    run, table, glob.replace("'", "''")));
          }
        }
      }
      return new DemoTables(root, duck);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot open the demo's tables under " + root, e);
    }
  }

  /** The demo's output folder. */
  public Path root() {
    return root;
  }

  /** Prints the result of {@code sql} as an aligned text table. */
  public void show(String sql) {
    print(sql, System.out);
  }

  /** Prints the result of {@code sql} as an aligned text table on {@code out}. */
  public void print(String sql, PrintStream out) {
    List<String[]> cells = new ArrayList<>();
    query(
        sql,
        rs -> {
          int n = rs.getMetaData().getColumnCount();
          if (cells.isEmpty()) {
            String[] header = new String[n];
            for (int i = 0; i < n; i++) {
              header[i] = rs.getMetaData().getColumnLabel(i + 1);
            }
            cells.add(header);
          }
          String[] row = new String[n];
          for (int i = 0; i < n; i++) {
            row[i] = cell(rs.getObject(i + 1));
          }
          cells.add(row);
        });
    if (cells.isEmpty()) {
      out.println("(no rows)");
      return;
    }
    int[] width = new int[cells.get(0).length];
    for (String[] row : cells) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    boolean[] numeric = new boolean[width.length];
    for (int i = 0; i < width.length; i++) {
      final int column = i;
      numeric[i] =
          cells.stream().skip(1).allMatch(row -> row[column].matches("-|-?[0-9,]+(\\.[0-9]+)?"));
    }
    StringBuilder text = new StringBuilder();
    for (int r = 0; r < cells.size(); r++) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < width.length; i++) {
        String align = numeric[i] ? "%" : "%-";
        line.append(String.format(align + width[i] + "s", cells.get(r)[i]));
        line.append(i + 1 < width.length ? "  " : "");
      }
      text.append(line.toString().stripTrailing()).append('\n');
      if (r == 0) {
        text.append(String.join("  ", Arrays.stream(width).mapToObj("-"::repeat).toList()));
        text.append('\n');
      }
    }
    // One write, so that a notebook gets the table as one output.
    out.print(text);
    out.flush();
  }

  /** The first column of the result of {@code sql}, as numbers (null as NaN). */
  public double[] doubles(String sql) {
    List<Double> values = new ArrayList<>();
    query(
        sql,
        rs -> {
          double v = rs.getDouble(1);
          values.add(rs.wasNull() ? Double.NaN : v);
        });
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The first column of the result of {@code sql}, as a list of numbers (for XChart's series). */
  public List<Double> numbers(String sql) {
    return Arrays.stream(doubles(sql)).boxed().toList();
  }

  /** The first column of the result of {@code sql}, as strings. */
  public List<String> strings(String sql) {
    List<String> values = new ArrayList<>();
    query(sql, rs -> values.add(rs.getString(1)));
    return values;
  }

  /**
   * The one number {@code sql} returns.
   *
   * @throws IllegalStateException if it returns other than one row
   */
  public double number(String sql) {
    double[] values = doubles(sql);
    if (values.length != 1) {
      throw new IllegalStateException(
          String.format("Invalid query result: %d rows (must be 1) from %s", values.length, sql));
    }
    return values[0];
  }

  @Override
  public void close() throws SQLException {
    duck.close();
  }

  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private void query(String sql, RowReader reader) {
    try (Statement st = duck.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        reader.read(rs);
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("Cannot run " + sql + ": " + e.getMessage(), e);
    }
  }

  /** A value as the printed tables show it: 4 decimals, thousands separated, lists in brackets. */
  static String cell(Object value) throws SQLException {
    if (value == null) {
      return "-";
    }
    if (value instanceof Double || value instanceof Float) {
      double v = ((Number) value).doubleValue();
      return Math.abs(v) >= 10_000
          ? String.format(Locale.ROOT, "%,.1f", v)
          : String.format(Locale.ROOT, "%.4f", v);
    }
    if (value instanceof Long || value instanceof Integer) {
      return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
    }
    if (value instanceof Array array) {
      Object[] items = (Object[]) array.getArray();
      List<String> shown = new ArrayList<>();
      for (Object item : items) {
        shown.add(cell(item));
      }
      return "[" + String.join(", ", shown) + "]";
    }
    return value.toString();
  }
}
