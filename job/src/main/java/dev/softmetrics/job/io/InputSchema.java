package dev.softmetrics.job.io;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.config.InputFormat;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The columns each layout needs, and the types it takes. Applied to every input file's schema (so a
 * problem names the file) and to the run's merged schema (to choose what the scan reads).
 */
final class InputSchema {
  private InputSchema() {}

  /**
   * The layout {@code format} names, or the one the columns show.
   *
   * @param where the file or inputs, for the message
   * @throws IllegalArgumentException when neither layout's columns are there
   */
  static InputFormat detect(
      StructType schema, ColumnNames names, InputFormat format, String where) {
    if (format != InputFormat.AUTO) {
      return format;
    }
    if (has(schema, names.tokenLogprobs())) {
      return InputFormat.LOGPROBS;
    }
    if (has(schema, names.logits()) || has(schema, names.targetIds())) {
      return InputFormat.LOGITS;
    }
    throw new IllegalArgumentException(
        String.format(
            "Cannot detect the input layout of %s: no %s column (logprobs layout) and no %s/%s"
                + " columns (logits layout); columns are %s. Map your column names in the configuration"
                + " (columns.token-logprobs, columns.logits) or pass --format",
            where,
            names.tokenLogprobs(),
            names.logits(),
            names.targetIds(),
            String.join(", ", schema.fieldNames())));
  }

  /**
   * The columns of {@code schema} that a run in {@code layout} reads: labels, the layout's columns,
   * text and counts.
   *
   * @param where the file or inputs, for the message
   * @throws IllegalArgumentException when a column is missing or of the wrong type
   */
  static List<String> columns(
      StructType schema, ColumnNames names, InputFormat layout, String where) {
    for (String label : names.labels()) {
      requireLabel(schema, label, where);
    }
    List<String> wanted = new ArrayList<>(names.labels());
    if (layout == InputFormat.LOGITS) {
      wanted.addAll(logitsColumns(schema, names, where));
    } else {
      wanted.addAll(logprobsColumns(schema, names, where));
    }
    boolean hasText = has(schema, names.text());
    if (hasText) {
      requireType(schema, names.text(), DataTypes.StringType, "string", where);
      wanted.add(names.text());
    }
    for (String count : List.of(names.numBytes(), names.numChars(), names.numWords())) {
      if (has(schema, count)) {
        requireInteger(schema, count, where);
        wanted.add(count);
      }
    }
    if (!hasText && !has(schema, names.numBytes())) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot score %s: neither %s nor %s is a column (ship the scored text, or its UTF-8"
                  + " byte count, so that bits-per-byte can be computed)",
              where, names.text(), names.numBytes()));
    }
    return wanted;
  }

  /** The layout's columns besides labels and counts: token_logprobs and the optional extras. */
  private static List<String> logprobsColumns(StructType schema, ColumnNames names, String where) {
    List<String> wanted = new ArrayList<>();
    requireFloatingList(schema, names.tokenLogprobs(), 1, where);
    wanted.add(names.tokenLogprobs());
    for (String extra : List.of(names.tokenEntropies(), names.refLogprobs())) {
      if (has(schema, extra)) {
        requireFloatingList(schema, extra, 1, where);
        wanted.add(extra);
      }
    }
    if (has(schema, names.topLogprobs())) {
      requireFloatingList(schema, names.topLogprobs(), 2, where);
      if (!has(schema, names.vocabSize())) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot use %s in %s without a %s column (the entropy bounds need the vocabulary"
                    + " size; add it, or drop the top-k column)",
                names.topLogprobs(), where, names.vocabSize()));
      }
      requireInteger(schema, names.vocabSize(), where);
      wanted.add(names.topLogprobs());
      wanted.add(names.vocabSize());
    }
    return wanted;
  }

  /** The logits layout's columns besides labels and counts. */
  private static List<String> logitsColumns(StructType schema, ColumnNames names, String where) {
    List<String> wanted = new ArrayList<>();
    DataType targets = requireColumn(schema, names.targetIds(), where);
    if (!(targets instanceof ArrayType array)
        || !(array.elementType().equals(DataTypes.IntegerType)
            || array.elementType().equals(DataTypes.LongType))) {
      throw schemaError(names.targetIds(), targets, "list<int> or list<bigint>", where);
    }
    wanted.add(names.targetIds());
    DataType logits = requireColumn(schema, names.logits(), where);
    String form = logitsForm(logits);
    if (form == null) {
      throw schemaError(names.logits(), logits, "binary, list<float> or list<list<float>>", where);
    }
    wanted.add(names.logits());
    if (has(schema, names.refLogits())) {
      DataType ref = schema.apply(names.refLogits()).dataType();
      if (!SchemaMerge.sameIgnoringNulls(ref, logits)) {
        throw schemaError(
            names.refLogits(),
            ref,
            logits.simpleString() + ", the type of " + names.logits(),
            where);
      }
      wanted.add(names.refLogits());
    }
    if (!form.equals("nested") || has(schema, names.vocabSize())) {
      requireInteger(schema, names.vocabSize(), where);
      wanted.add(names.vocabSize());
    }
    if (form.equals("binary")) {
      requireType(schema, names.logitsDtype(), DataTypes.StringType, "string", where);
      wanted.add(names.logitsDtype());
    }
    if (has(schema, names.firstPosition())) {
      requireInteger(schema, names.firstPosition(), where);
      wanted.add(names.firstPosition());
    }
    return wanted;
  }

  /** "binary", "flat" or "nested" for a logits column type, else null. */
  private static String logitsForm(DataType type) {
    if (type.equals(DataTypes.BinaryType)) {
      return "binary";
    }
    if (type instanceof ArrayType outer) {
      if (outer.elementType().equals(DataTypes.FloatType)) {
        return "flat";
      }
      if (outer.elementType() instanceof ArrayType inner
          && inner.elementType().equals(DataTypes.FloatType)) {
        return "nested";
      }
    }
    return null;
  }

  private static void requireFloatingList(StructType schema, String name, int depth, String where) {
    DataType type = requireColumn(schema, name, where);
    DataType element = type;
    for (int level = 0; level < depth; level++) {
      if (!(element instanceof ArrayType array)) {
        element = null;
        break;
      }
      element = array.elementType();
    }
    if (element == null
        || !(element.equals(DataTypes.FloatType) || element.equals(DataTypes.DoubleType))) {
      String expected =
          depth == 1 ? "list<float> or list<double>" : "list<list<float>> or list<list<double>>";
      throw schemaError(name, type, expected, where);
    }
  }

  /** A label is a string, or an integer that is read as its decimal string. */
  private static void requireLabel(StructType schema, String name, String where) {
    DataType type = requireColumn(schema, name, where);
    if (!type.equals(DataTypes.StringType)
        && !type.equals(DataTypes.ByteType)
        && !type.equals(DataTypes.ShortType)
        && !type.equals(DataTypes.IntegerType)
        && !type.equals(DataTypes.LongType)) {
      throw schemaError(name, type, "string, or an integer type read as its decimal string", where);
    }
  }

  private static void requireInteger(StructType schema, String name, String where) {
    DataType type = requireColumn(schema, name, where);
    if (!type.equals(DataTypes.IntegerType) && !type.equals(DataTypes.LongType)) {
      throw schemaError(name, type, "int or long", where);
    }
  }

  static boolean has(StructType schema, String name) {
    return List.of(schema.fieldNames()).contains(name);
  }

  private static DataType requireColumn(StructType schema, String name, String where) {
    if (!has(schema, name)) {
      throw new IllegalArgumentException(
          String.format(
              "Missing column %s in %s (columns are %s; map another name onto it in the"
                  + " configuration's columns block)",
              name, where, String.join(", ", schema.fieldNames())));
    }
    return schema.apply(name).dataType();
  }

  private static void requireType(
      StructType schema, String name, DataType type, String expected, String where) {
    DataType actual = requireColumn(schema, name, where);
    if (!actual.equals(type)) {
      throw schemaError(name, actual, expected, where);
    }
  }

  private static IllegalArgumentException schemaError(
      String name, DataType actual, String expected, String where) {
    return new IllegalArgumentException(
        String.format(
            "Invalid column %s: %s in %s (must be %s)",
            name, actual.simpleString(), where, expected));
  }
}
