package dev.softmetrics.job.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes JSON Lines objects into the columns of a batch, one row per line: each key that names a
 * column goes to that column, a column whose key is absent is null, other keys are ignored. A line
 * that is not one JSON object, or whose value for a column is not of the column's kind, gets nulls
 * in every column and a problem (what is wrong, with the parser's words), for which the scorer
 * rejects the row.
 */
final class JsonLinesRows {
  private final StructType schema;
  private final WritableColumnVector[] columns;
  private final boolean[] labels;
  private final Map<String, Integer> index = new HashMap<>();
  private final boolean[] seen;
  private final int[] used;
  private final int[] usedInner;

  /**
   * @param schema the data columns, as {@link JsonLinesSchema} types them
   * @param columns their vectors, in the schema's order
   * @param labels per column, true for a label (an integer is then read as its decimal string)
   */
  JsonLinesRows(StructType schema, WritableColumnVector[] columns, boolean[] labels) {
    this.schema = schema;
    this.columns = columns;
    this.labels = labels;
    for (int c = 0; c < columns.length; c++) {
      index.put(schema.fields()[c].name(), c);
    }
    this.seen = new boolean[columns.length];
    this.used = new int[columns.length];
    this.usedInner = new int[columns.length];
  }

  /** Starts a new batch: the vectors were reset, their child slots are free again. */
  void reset() {
    Arrays.fill(used, 0);
    Arrays.fill(usedInner, 0);
  }

  /**
   * Writes the line into row {@code row}.
   *
   * @return null when the line is an object of well-typed values, else what is wrong with it
   */
  String write(byte[] line, int length, int row) {
    Arrays.fill(seen, false);
    String problem;
    try (JsonParser parser = JsonLines.FACTORY.createParser(line, 0, length)) {
      problem = object(parser, row);
    } catch (IOException e) {
      problem = "not valid JSON (" + firstLine(e.getMessage()) + ")";
    }
    for (int c = 0; c < columns.length; c++) {
      if (problem != null || !seen[c]) {
        columns[c].putNull(row);
      }
    }
    return problem;
  }

  private String object(JsonParser parser, int row) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return "not a JSON object (each line holds one object, the columns as its keys)";
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      Integer c = index.get(key);
      JsonToken value = parser.nextToken();
      if (c == null) {
        parser.skipChildren();
        continue;
      }
      String problem = value == JsonToken.VALUE_NULL ? null : value(parser, c, row);
      if (problem != null) {
        return "key " + key + problem;
      }
      seen[c] = value != JsonToken.VALUE_NULL;
    }
    if (parser.nextToken() != null) {
      return "more than one JSON value on the line";
    }
    return null;
  }

  /** Writes a non-null value; returns ": expected ..., found ..." when it is of another kind. */
  private String value(JsonParser parser, int c, int row) throws IOException {
    DataType type = schema.fields()[c].dataType();
    WritableColumnVector column = columns[c];
    JsonToken token = parser.currentToken();
    if (type.equals(DataTypes.StringType)) {
      if (token == JsonToken.VALUE_STRING) {
        column.putByteArray(row, parser.getText().getBytes(StandardCharsets.UTF_8));
        return null;
      }
      if (labels[c] && token == JsonToken.VALUE_NUMBER_INT) {
        column.putByteArray(
            row, parser.getBigIntegerValue().toString().getBytes(StandardCharsets.US_ASCII));
        return null;
      }
      return expected(labels[c] ? "a string or an integer" : "a string", parser);
    }
    if (type.equals(DataTypes.LongType)) {
      if (token == JsonToken.VALUE_NUMBER_INT
          && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        column.putLong(row, parser.getLongValue());
        return null;
      }
      return expected("an integer", parser);
    }
    ArrayType list = (ArrayType) type;
    if (token != JsonToken.START_ARRAY) {
      return expected("a list", parser);
    }
    if (list.elementType() instanceof ArrayType) {
      return nested(parser, c, row);
    }
    int start = used[c];
    String problem = doubles(parser, column.arrayData(), c, used);
    if (problem == null) {
      column.putArray(row, start, used[c] - start);
    }
    return problem;
  }

  /** A list of lists of numbers: the outer slots in {@code used}, the numbers in usedInner. */
  private String nested(JsonParser parser, int c, int row) throws IOException {
    WritableColumnVector lists = columns[c].arrayData();
    int start = used[c];
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      int slot = used[c]++;
      lists.reserve(slot + 1);
      if (parser.currentToken() == JsonToken.VALUE_NULL) {
        lists.putNull(slot);
        continue;
      }
      if (parser.currentToken() != JsonToken.START_ARRAY) {
        return expected("a list of lists of numbers", parser);
      }
      int first = usedInner[c];
      String problem = doubles(parser, lists.arrayData(), c, usedInner);
      if (problem != null) {
        return problem;
      }
      lists.putArray(slot, first, usedInner[c] - first);
    }
    columns[c].putArray(row, start, used[c] - start);
    return null;
  }

  /** The numbers (or nulls) of a list whose START_ARRAY was read, into {@code values}. */
  private String doubles(JsonParser parser, WritableColumnVector values, int c, int[] cursor)
      throws IOException {
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      int slot = cursor[c]++;
      values.reserve(slot + 1);
      if (token == JsonToken.VALUE_NULL) {
        values.putNull(slot);
      } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
        values.putDouble(slot, parser.getDoubleValue());
      } else {
        return expected("a list of numbers or nulls", parser);
      }
    }
    return null;
  }

  private static String expected(String what, JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    String found =
        switch (token) {
          case VALUE_STRING -> "the string " + quoted(parser.getText());
          case START_OBJECT -> "an object";
          case START_ARRAY -> "a list";
          case VALUE_TRUE, VALUE_FALSE -> parser.getText();
          default -> parser.getText();
        };
    return ": expected " + what + ", found " + found;
  }

  private static String quoted(String text) {
    String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    return "\"" + shown + "\"";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
