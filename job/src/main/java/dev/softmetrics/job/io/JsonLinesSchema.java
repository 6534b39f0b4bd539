package dev.softmetrics.job.io;

import dev.softmetrics.job.config.ColumnNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The type each column of the log-prob layout has when read from JSON Lines, which carries no
 * schema: labels and text are strings (an integer label is read as its decimal string), counts are
 * longs, the per-token columns lists of doubles ({@code top_logprobs} a list of such lists). A key
 * that names no column of the layout is ignored, as an unused Parquet column is; the logits
 * layout's columns are refused, since its logits are written as Parquet (docs/INPUTS.md).
 */
final class JsonLinesSchema {
  private static final DataType DOUBLES = DataTypes.createArrayType(DataTypes.DoubleType, true);

  private JsonLinesSchema() {}

  /** The job's columns by their (mapped) names, with the type JSON Lines input gives them. */
  static Map<String, DataType> types(ColumnNames names) {
    Map<String, DataType> types = new LinkedHashMap<>();
    for (String label : names.labels()) {
      types.put(label, DataTypes.StringType);
    }
    types.put(names.text(), DataTypes.StringType);
    types.put(names.tokenLogprobs(), DOUBLES);
    types.put(names.tokenEntropies(), DOUBLES);
    types.put(names.refLogprobs(), DOUBLES);
    types.put(names.topLogprobs(), DataTypes.createArrayType(DOUBLES, true));
    for (String count : List.of(names.numBytes(), names.numChars(), names.numWords())) {
      types.put(count, DataTypes.LongType);
    }
    types.put(names.vocabSize(), DataTypes.LongType);
    return types;
  }

  /** The logits layout's columns, which JSON Lines input does not take. */
  static List<String> logitsColumns(ColumnNames names) {
    return List.of(
        names.targetIds(),
        names.logits(),
        names.refLogits(),
        names.logitsDtype(),
        names.firstPosition());
  }
}
