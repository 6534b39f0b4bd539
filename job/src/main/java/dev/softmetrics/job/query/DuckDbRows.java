package dev.softmetrics.job.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Prints DuckDB's rows as {@link QueryPrinter} prints Spark's: the same table and CSV text through
 * {@link ResultText}, values rendered as Spark SQL casts them to strings where the two differ
 * (doubles and floats as Java prints them, {@code 1.0E-5} and {@code NaN}), and JSON lines with
 * nulls kept, numbers as numbers and lists as arrays. Maps and structs print as DuckDB writes them.
 */
final class DuckDbRows {
  private DuckDbRows() {}

  private static final Set<String> NUMBERS =
      Set.of(
          "TINYINT",
          "SMALLINT",
          "INTEGER",
          "BIGINT",
          "HUGEINT",
          "UTINYINT",
          "USMALLINT",
          "UINTEGER",
          "UBIGINT",
          "UHUGEINT",
          "FLOAT",
          "DOUBLE");

  static void print(ResultSet rows, ResultFormat format, int maxRows, PrintStream out)
      throws SQLException {
    List<String> names = DuckDbQuery.names(rows);
    String[] types = new String[names.size()];
    boolean[] numeric = new boolean[names.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = rows.getMetaData().getColumnTypeName(i + 1).toUpperCase(Locale.ROOT);
      numeric[i] = NUMBERS.contains(types[i]) || types[i].startsWith("DECIMAL");
    }
    switch (format) {
      case TABLE -> printTable(rows, names, types, numeric, maxRows, out);
      case CSV -> {
        out.println(ResultText.csvLine(names));
        while (rows.next()) {
          out.println(ResultText.csvLine(cells(rows, types)));
        }
      }
      case JSON -> {
        while (rows.next()) {
          out.println(json(rows, names, types));
        }
      }
    }
  }

  private static void printTable(
      ResultSet rows,
      List<String> names,
      String[] types,
      boolean[] numeric,
      int maxRows,
      PrintStream out)
      throws SQLException {
    List<String[]> shown = new ArrayList<>();
    boolean more = false;
    while (rows.next()) {
      if (shown.size() == maxRows) {
        more = true;
        break;
      }
      shown.add(cells(rows, types).toArray(String[]::new));
    }
    ResultText.table(names, numeric, shown, more, out);
  }

  private static List<String> cells(ResultSet rows, String[] types) throws SQLException {
    List<String> cells = new ArrayList<>(types.length);
    for (int i = 0; i < types.length; i++) {
      cells.add(text(rows, i + 1, types[i]));
    }
    return cells;
  }

  /** A value as Spark SQL would print it, or null. */
  static String text(ResultSet rows, int column, String type) throws SQLException {
    Object value = rows.getObject(column);
    if (value == null) {
      return null;
    }
    if (value instanceof Double d) {
      return Double.toString(d);
    }
    if (value instanceof Float f) {
      return Float.toString(f);
    }
    return rows.getString(column);
  }

  private static String json(ResultSet rows, List<String> names, String[] types)
      throws SQLException {
    StringWriter text = new StringWriter();
    try (JsonGenerator json = new JsonFactory().createGenerator(text)) {
      json.writeStartObject();
      for (int i = 0; i < names.size(); i++) {
        json.writeFieldName(names.get(i));
        Object value = rows.getObject(i + 1);
        writeValue(json, value, value == null ? null : text(rows, i + 1, types[i]));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private static void writeValue(JsonGenerator json, Object value, String text)
      throws IOException, SQLException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Boolean b) {
      json.writeBoolean(b);
    } else if (value instanceof Double d) {
      json.writeNumber(d);
    } else if (value instanceof Float f) {
      json.writeNumber(f);
    } else if (value instanceof BigDecimal d) {
      json.writeNumber(d);
    } else if (value instanceof BigInteger n) {
      json.writeNumber(n);
    } else if (value instanceof Number n) {
      json.writeNumber(n.longValue());
    } else if (value instanceof String s) {
      json.writeString(s);
    } else if (value instanceof Array array) {
      json.writeStartArray();
      for (Object element : (Object[]) array.getArray()) {
        writeValue(json, element, element == null ? null : String.valueOf(element));
      }
      json.writeEndArray();
    } else {
      json.writeString(text);
    }
  }
}
