package dev.softmetrics.notebooks;

import java.io.IOException;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The tables for the notebooks, as DuckDB views, and the few ways the notebooks read them: as
 * printed tables, columns or single numbers. Two ways to open them: the demo's three runs ({@link
 * #open()}: one view per run and table, {@code heldout_corpus}, {@code rollouts_sequences}, {@code
 * logits_rejected}, ..., and {@code <run>_input} for the input shards), or any one output folder
 * ({@link #openOutput}: views named after its tables, {@code corpus}, {@code comparisons}, ...).
 *
 * <p>The demo's tables are those {@code bin/softmetrics demo} writes: under {@value #ENV} if that
 * is set, else under {@code ../demo-output} (the repository's, seen from {@code notebooks/}).
 */
public final class DemoTables implements AutoCloseable {
  /** The environment variable that names the demo's output folder. */
  public static final String ENV = "SOFTMETRICS_DEMO_OUTPUT";

  /** The demo's runs, each a folder of tables. */
  public static final List<String> RUNS = List.of("heldout", "rollouts", "logits");

  /** The tables of each run, and {@code input} for its input shards. */
  static final List<String> TABLES =
      List.of("sequences", "corpus", "rejected", "runs", "comparisons", "input");

  /** The tables an output folder may hold, each a view of {@link #openOutput}; corpus/ it must. */
  static final List<String> OUTPUT_TABLES =
      List.of("corpus", "comparisons", "sequences", "rejected", "runs", "positions");

  private final Path root;
  private final Connection duck;
  private final Set<String> views;

  private DemoTables(Path root, Connection duck, Set<String> views) {
    this.root = root;
    this.duck = duck;
    this.views = views;
  }

  /**
   * The tables of one output folder (a {@code score} run's {@code --output}), one view per table it
   * holds, named after it; {@code positions} only when the folder has {@code positions/}.
   *
   * @throws IllegalStateException if the folder has no {@code corpus/}: the message names the
   *     subfolders that have one (the demo writes three outputs into one folder)
   */
  public static DemoTables openOutput(Path output) {
    if (!Files.isDirectory(output.resolve("corpus"))) {
      throw new IllegalStateException(
          String.format(
              "Cannot read the tables of %s: it has no corpus/ folder%s",
              output.toAbsolutePath().normalize(), withTables(output)));
    }
    Set<String> views = new LinkedHashSet<>();
    for (String table : OUTPUT_TABLES) {
      if (Files.isDirectory(output.resolve(table))) {
        views.add(table);
      }
    }
    return withViews(output, views, view -> output.resolve(view));
  }

  /** ", but these subfolders hold tables: a, b (give one of them)", or what to run. */
  private static String withTables(Path folder) {
    List<String> outputs = new ArrayList<>();
    try (Stream<Path> children = Files.list(folder)) {
      children
          .filter(child -> Files.isDirectory(child.resolve("corpus")))
          .map(child -> child.getFileName().toString())
          .sorted()
          .forEach(outputs::add);
    } catch (IOException e) {
      return " (and it cannot be listed: " + e.getMessage() + ")";
    }
    return outputs.isEmpty()
        ? " (give the --output folder of a score run)"
        : ", but these subfolders hold tables: "
            + String.join(", ", outputs)
            + " (give one of them)";
  }

  /** True when the tables have a view of that name (an output without positions/ has none). */
  public boolean has(String view) {
    return views.contains(view);
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
    Set<String> views = new LinkedHashSet<>();
    for (String run : RUNS) {
      for (String table : TABLES) {
        views.add(run + "_" + table);
      }
    }
    return withViews(
        root,
        views,
        view ->
            root.resolve(view.substring(0, view.indexOf('_')))
                .resolve(view.substring(view.indexOf('_') + 1)));
  }

  /** A DuckDB connection with one view per name over the Parquet files under its folder. */
  private static DemoTables withViews(
      Path root, Set<String> views, java.util.function.Function<String, Path> folder) {
    try {
      Connection duck = DriverManager.getConnection("jdbc:duckdb:");
      try (Statement st = duck.createStatement()) {
        for (String view : views) {
          String glob = folder.apply(view).resolve("**").resolve("*.parquet").toString();
          st.execute(
              String.format(
                  "CREATE VIEW %s AS SELECT * FROM read_parquet('%s')",
                  view, glob.replace("'", "''")));
        }
      }
      return new DemoTables(root, duck, views);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot open the tables under " + root, e);
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

  /** Every row of the result of {@code sql}, each as its columns' values (null for NULL). */
  public List<List<Object>> rows(String sql) {
    List<List<Object>> rows = new ArrayList<>();
    query(
        sql,
        rs -> {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.add(rs.getObject(i));
          }
          rows.add(row);
        });
    return rows;
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
