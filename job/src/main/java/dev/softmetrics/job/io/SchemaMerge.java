package dev.softmetrics.job.io;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Merges the schemas of the input files into the one the scan reads. Files may differ in which
 * optional columns they have (a missing column reads as null) and by the widenings Spark's reader
 * performs, int to long and float to double, also inside lists; any other difference in a column's
 * type fails, naming both files.
 */
final class SchemaMerge {
  private SchemaMerge() {}

  /**
   * The merged schema of the columns named in {@code columns}, in the order they first appear, all
   * nullable.
   *
   * @param schemas each file's schema, by file path, in the order of the files
   * @param columns the columns the job may read; others are ignored, whatever their types
   * @throws IllegalArgumentException when two files disagree on a column's type
   */
  static StructType merge(Map<String, StructType> schemas, Collection<String> columns) {
    Map<String, DataType> merged = new LinkedHashMap<>();
    Map<String, String> firstFile = new LinkedHashMap<>();
    schemas.forEach(
        (file, schema) -> {
          for (StructField field : schema.fields()) {
            String name = field.name();
            if (!columns.contains(name)) {
              continue;
            }
            DataType seen = merged.get(name);
            if (seen == null) {
              merged.put(name, field.dataType());
              firstFile.put(name, file);
              continue;
            }
            DataType wider = widen(seen, field.dataType());
            if (wider == null) {
              throw new IllegalArgumentException(
                  String.format(
                      "Invalid column %s: %s in %s but %s in %s (input files must agree on each"
                          + " column's type; only int and long, or float and double, may differ)",
                      name,
                      seen.simpleString(),
                      firstFile.get(name),
                      field.dataType().simpleString(),
                      file));
            }
            merged.put(name, wider);
          }
        });
    StructType out = new StructType();
    for (Map.Entry<String, DataType> e : merged.entrySet()) {
      out = out.add(e.getKey(), e.getValue(), true);
    }
    return out;
  }

  /** True when the two types are equal but for the nullability of list elements. */
  static boolean sameIgnoringNulls(DataType a, DataType b) {
    if (a instanceof ArrayType x && b instanceof ArrayType y) {
      return sameIgnoringNulls(x.elementType(), y.elementType());
    }
    return a.equals(b);
  }

  /** The type both read as, or null when there is none. */
  static DataType widen(DataType a, DataType b) {
    if (a instanceof ArrayType x && b instanceof ArrayType y) {
      DataType element = widen(x.elementType(), y.elementType());
      return element == null
          ? null
          : DataTypes.createArrayType(element, x.containsNull() || y.containsNull());
    }
    if (a.equals(b)) {
      return a;
    }
    if (isOneOf(a, b, DataTypes.IntegerType, DataTypes.LongType)) {
      return DataTypes.LongType;
    }
    if (isOneOf(a, b, DataTypes.FloatType, DataTypes.DoubleType)) {
      return DataTypes.DoubleType;
    }
    return null;
  }

  private static boolean isOneOf(DataType a, DataType b, DataType narrow, DataType wide) {
    return (a.equals(narrow) || a.equals(wide)) && (b.equals(narrow) || b.equals(wide));
  }
}
