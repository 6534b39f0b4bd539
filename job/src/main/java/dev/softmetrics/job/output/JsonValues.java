package dev.softmetrics.job.output;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Writes a Spark row as a JSON object, by its schema, so that every column a table gains appears
 * without change here. Types: strings, booleans and integers as themselves; doubles and floats as
 * the shortest decimal that reads back to the same bits, and the three values JSON has no literal
 * for as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}; decimals as
 * numbers; timestamps as ISO-8601 UTC strings to the microsecond (as Parquet holds them), dates as
 * ISO-8601; lists as arrays, maps and structs as objects, binary as base64; null as null.
 */
final class JsonValues {
  private JsonValues() {}

  static void write(JsonGenerator json, Row row, StructType schema) throws IOException {
    json.writeStartObject();
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      json.writeFieldName(fields[i].name());
      value(json, row.isNullAt(i) ? null : row.get(i), fields[i].dataType());
    }
    json.writeEndObject();
  }

  private static void value(JsonGenerator json, Object value, DataType type) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (type instanceof StringType) {
      json.writeString(value.toString());
    } else if (type instanceof BooleanType) {
      json.writeBoolean((Boolean) value);
    } else if (type instanceof IntegralType) {
      json.writeNumber(((Number) value).longValue());
    } else if (type instanceof DoubleType) {
      number(json, (Double) value);
    } else if (type instanceof FloatType) {
      float f = (Float) value;
      if (Float.isFinite(f)) {
        json.writeNumber(f);
      } else {
        json.writeString(Float.toString(f));
      }
    } else if (type instanceof DecimalType) {
      json.writeNumber(decimal(value));
    } else {
      nested(json, value, type);
    }
  }

  private static void number(JsonGenerator json, double d) throws IOException {
    if (Double.isFinite(d)) {
      json.writeNumber(d);
    } else {
      json.writeString(Double.toString(d));
    }
  }

  private static void nested(JsonGenerator json, Object value, DataType type) throws IOException {
    if (type instanceof TimestampType) {
      Instant instant = value instanceof Timestamp t ? t.toInstant() : (Instant) value;
      // Parquet holds microseconds: the JSON says what a reader of the table sees.
      json.writeString(instant.truncatedTo(ChronoUnit.MICROS).toString());
    } else if (type instanceof DateType) {
      LocalDate date = value instanceof Date d ? d.toLocalDate() : (LocalDate) value;
      json.writeString(date.toString());
    } else if (type instanceof BinaryType) {
      json.writeBinary((byte[]) value);
    } else if (type instanceof StructType struct) {
      write(json, (Row) value, struct);
    } else if (type instanceof ArrayType array) {
      json.writeStartArray();
      for (Object element : elements(value)) {
        value(json, element, array.elementType());
      }
      json.writeEndArray();
    } else if (type instanceof MapType map) {
      json.writeStartObject();
      for (Map.Entry<?, ?> entry : entries(value).entrySet()) {
        json.writeFieldName(String.valueOf(entry.getKey()));
        value(json, entry.getValue(), map.valueType());
      }
      json.writeEndObject();
    } else {
      throw new IllegalStateException("results.json cannot write a column of type " + type);
    }
  }

  private static BigDecimal decimal(Object value) {
    return value instanceof BigDecimal d
        ? d
        : ((org.apache.spark.sql.types.Decimal) value).toJavaBigDecimal();
  }

  private static List<?> elements(Object value) {
    if (value instanceof List<?> list) {
      return list;
    }
    return CollectionConverters.asJava((scala.collection.Seq<?>) value);
  }

  private static Map<?, ?> entries(Object value) {
    if (value instanceof Map<?, ?> map) {
      return map;
    }
    return CollectionConverters.asJava((scala.collection.Map<?, ?>) value);
  }
}
