package dev.softmetrics.job.query;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * Prints a query's rows: an aligned table for people (strings left, numbers right, {@code NULL} for
 * nulls, at most {@code maxRows} rows), CSV (RFC 4180, a header, empty for null), or JSON lines
 * (one object per row, nulls kept). Values are rendered as Spark SQL casts them to strings, so they
 * read as in {@code spark-sql}; JSON is Spark's own.
 */
public final class QueryPrinter {
  private QueryPrinter() {}

  /** How rows are printed. */
  public enum Format {
    TABLE,
    CSV,
    JSON
  }

  /** Prints the rows of {@code result} in {@code format}. */
  public static void print(Dataset<Row> result, Format format, int maxRows, PrintStream out) {
    switch (format) {
      case JSON ->
          asJson(result).toLocalIterator().forEachRemaining(r -> out.println(r.getString(0)));
      case CSV -> printCsv(result, out);
      case TABLE -> printTable(result, maxRows, out);
    }
  }

  /** Every column cast to a string, renamed by position so that duplicate names do not clash. */
  private static Dataset<Row> asStrings(Dataset<Row> result) {
    String[] names = result.columns();
    String[] positional = new String[names.length];
    Column[] cast = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      positional[i] = "c" + i;
      cast[i] = org.apache.spark.sql.functions.col(positional[i]).cast("string");
    }
    return result.toDF(positional).select(cast);
  }

  /** One JSON object per row, nulls kept (the option is given to the function, not the session). */
  private static Dataset<Row> asJson(Dataset<Row> result) {
    String[] names = result.columns();
    String[] positional = new String[names.length];
    Column[] fields = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      positional[i] = "c" + i;
      fields[i] = org.apache.spark.sql.functions.col(positional[i]).as(names[i]);
    }
    return result
        .toDF(positional)
        .select(
            org.apache.spark.sql.functions.to_json(
                org.apache.spark.sql.functions.struct(fields),
                java.util.Map.of("ignoreNullFields", "false")));
  }

  private static void printCsv(Dataset<Row> result, PrintStream out) {
    List<String> header = new ArrayList<>();
    for (String name : result.columns()) {
      header.add(csv(name));
    }
    out.println(String.join(",", header));
    Iterator<Row> rows = asStrings(result).toLocalIterator();
    while (rows.hasNext()) {
      Row row = rows.next();
      List<String> cells = new ArrayList<>(row.length());
      for (int i = 0; i < row.length(); i++) {
        cells.add(row.isNullAt(i) ? "" : csv(row.getString(i)));
      }
      out.println(String.join(",", cells));
    }
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

  private static void printTable(Dataset<Row> result, int maxRows, PrintStream out) {
    StructField[] fields = result.schema().fields();
    List<String[]> cells = new ArrayList<>();
    String[] header = new String[fields.length];
    for (int i = 0; i < fields.length; i++) {
      header[i] = fields[i].name();
    }
    cells.add(header);
    List<Row> rows = asStrings(result).limit(maxRows + 1).collectAsList();
    for (Row row : rows.subList(0, Math.min(maxRows, rows.size()))) {
      String[] line = new String[fields.length];
      for (int i = 0; i < fields.length; i++) {
        line[i] = row.isNullAt(i) ? "NULL" : row.getString(i).replace("\n", "\\n");
      }
      cells.add(line);
    }
    int[] width = new int[fields.length];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], length(line[i]));
      }
    }
    for (int r = 0; r < cells.size(); r++) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < fields.length; i++) {
        String cell = cells.get(r)[i];
        String pad = " ".repeat(width[i] - length(cell));
        boolean right = r > 0 && fields[i].dataType() instanceof NumericType;
        line.append(right ? pad + cell : cell + pad).append(i + 1 < fields.length ? "  " : "");
      }
      out.println(line.toString().stripTrailing());
      if (r == 0) {
        List<String> rules = new ArrayList<>();
        for (int w : width) {
          rules.add("-".repeat(w));
        }
        out.println(String.join("  ", rules));
      }
    }
    if (rows.size() > maxRows) {
      out.printf(
          Locale.ROOT, "(only the first %,d rows are shown; add LIMIT or --max-rows)%n", maxRows);
    } else {
      out.printf(Locale.ROOT, "(%,d %s)%n", rows.size(), rows.size() == 1 ? "row" : "rows");
    }
  }

  private static int length(String s) {
    return s.codePointCount(0, s.length());
  }
}
