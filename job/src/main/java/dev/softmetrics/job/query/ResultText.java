package dev.softmetrics.job.query;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of a query's rows, whichever engine computed them: an aligned table for people (strings
 * left, numbers right, {@code NULL} for nulls) and CSV lines (RFC 4180). Cells arrive already
 * rendered as strings, {@code null} for SQL NULL, so both engines print the same characters for the
 * same values. It uses no Spark class: the DuckDB engine prints through it without loading Spark.
 */
public final class ResultText {
  private ResultText() {}

  /**
   * Prints an aligned table of {@code rows} under {@code names}, then a line with the row count;
   * when {@code more} is true, a line saying that only the first rows are shown.
   *
   * @param numeric which columns hold numbers (right-aligned)
   */
  public static void table(
      List<String> names, boolean[] numeric, List<String[]> rows, boolean more, PrintStream out) {
    List<String[]> cells = new ArrayList<>(rows.size() + 1);
    cells.add(names.toArray(String[]::new));
    for (String[] row : rows) {
      String[] line = new String[row.length];
      for (int i = 0; i < row.length; i++) {
        line[i] = row[i] == null ? "NULL" : row[i].replace("\n", "\\n");
      }
      cells.add(line);
    }
    int[] width = new int[names.size()];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], length(line[i]));
      }
    }
    for (int r = 0; r < cells.size(); r++) {
      out.println(aligned(cells.get(r), width, r > 0 ? numeric : new boolean[width.length]));
      if (r == 0) {
        List<String> rules = new ArrayList<>();
        for (int w : width) {
          rules.add("-".repeat(w));
        }
        out.println(String.join("  ", rules));
      }
    }
    if (more) {
      out.printf(
          Locale.ROOT,
          "(only the first %,d rows are shown; add LIMIT or --max-rows)%n",
          rows.size());
    } else {
      out.printf(Locale.ROOT, "(%,d %s)%n", rows.size(), rows.size() == 1 ? "row" : "rows");
    }
  }

  private static String aligned(String[] cells, int[] width, boolean[] right) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String pad = " ".repeat(width[i] - length(cells[i]));
      line.append(right[i] ? pad + cells[i] : cells[i] + pad)
          .append(i + 1 < cells.length ? "  " : "");
    }
    return line.toString().stripTrailing();
  }

  /** One CSV line: each cell quoted when it needs to be, empty for null. */
  public static String csvLine(List<String> cells) {
    List<String> fields = new ArrayList<>(cells.size());
    for (String cell : cells) {
      fields.add(cell == null ? "" : csv(cell));
    }
    return String.join(",", fields);
  }

  /** A CSV field, quoted when it holds a comma, a quote, a line break or edge spaces. */
  static String csv(String value) {
    boolean quote =
        value.contains(",")
            || value.contains("\"")
            || value.contains("\n")
            || value.contains("\r")
            || (!value.isEmpty() && (value.charAt(0) == ' ' || value.endsWith(" ")));
    return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }

  private static int length(String s) {
    return s.codePointCount(0, s.length());
  }
}
