package dev.softmetrics.job.query;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * Prints a Spark query's rows: an aligned table for people (strings left, numbers right, {@code
 * NULL} for nulls, at most {@code maxRows} rows), CSV (RFC 4180, a header, empty for null), or JSON
 * lines (one object per row, nulls kept). Values are rendered as Spark SQL casts them to strings,
 * so they read as in {@code spark-sql}; JSON is Spark's own. The table and CSV text is {@link
 * ResultText}'s, which the DuckDB engine prints through too.
 */
public final class QueryPrinter {
  private QueryPrinter() {}

  /** Prints the rows of {@code result} in {@code format}. */
  public static void print(Dataset<Row> result, ResultFormat format, int maxRows, PrintStream out) {
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
    out.println(ResultText.csvLine(List.of(result.columns())));
    Iterator<Row> rows = asStrings(result).toLocalIterator();
    while (rows.hasNext()) {
      out.println(ResultText.csvLine(cells(rows.next())));
    }
  }

  private static void printTable(Dataset<Row> result, int maxRows, PrintStream out) {
    StructField[] fields = result.schema().fields();
    boolean[] numeric = new boolean[fields.length];
    for (int i = 0; i < fields.length; i++) {
      numeric[i] = fields[i].dataType() instanceof NumericType;
    }
    List<Row> rows = asStrings(result).limit(maxRows + 1).collectAsList();
    List<String[]> shown = new ArrayList<>();
    for (Row row : rows.subList(0, Math.min(maxRows, rows.size()))) {
      shown.add(cells(row).toArray(String[]::new));
    }
    ResultText.table(List.of(result.columns()), numeric, shown, rows.size() > maxRows, out);
  }

  /** A row of strings (as {@link #asStrings} made it), null for null. */
  private static List<String> cells(Row row) {
    List<String> cells = new ArrayList<>(row.length());
    for (int i = 0; i < row.length(); i++) {
      cells.add(row.isNullAt(i) ? null : row.getString(i));
    }
    return cells;
  }
}
