package dev.softmetrics.job.config;

import dev.softmetrics.job.tables.Table;
import dev.softmetrics.job.tables.TableColumn;
import dev.softmetrics.job.tables.Tables;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules for the names of {@code labels.extra}. An extra label becomes a column of the output
 * tables and a key of their groups, so its name must not be one the tables or the scan already use:
 * a second {@code tokens} column, or a label named {@code file_key} (the partition column of {@code
 * sequences/}), would make tables no reader can tell apart.
 */
final class ExtraLabelNames {
  private ExtraLabelNames() {}

  /** The roll-up's value, and the columns the scan adds to every batch (io's metadata columns). */
  private static final Set<String> RESERVED =
      Set.of("__all__", "file_key", "file_path", "_tmp_metadata_row_index", "_line_problem");

  /**
   * Checks the extra labels' names.
   *
   * @param inputColumns the input columns the job reads for its own columns (labels, log-probs...)
   * @throws IllegalArgumentException naming the first name that is empty, repeated, reserved, an
   *     input column of the job or an output column
   */
  static void check(List<String> extras, List<String> inputColumns) {
    Set<String> seen = new HashSet<>();
    for (String name : extras) {
      if (name == null || name.isBlank()) {
        throw invalid(name, "empty");
      }
      if (!seen.add(name)) {
        throw invalid(name, "listed twice");
      }
      if (RESERVED.contains(name)) {
        throw invalid(name, "a reserved name");
      }
      if (inputColumns.contains(name)) {
        throw invalid(name, "an input column the job reads as one of its own columns");
      }
      String table = outputTableWith(name);
      if (table != null) {
        throw invalid(name, "a column of " + table + "/");
      }
    }
  }

  private static String outputTableWith(String name) {
    for (Table table :
        List.of(
            Tables.SEQUENCES,
            Tables.REJECTED,
            Tables.CORPUS,
            Tables.COMPARISONS,
            Tables.POSITIONS,
            Tables.RUNS)) {
      for (TableColumn column : table.columns()) {
        if (column.name().equals(name)) {
          return table.folder();
        }
      }
    }
    return null;
  }

  private static IllegalArgumentException invalid(String name, String why) {
    return new IllegalArgumentException(
        String.format(
            "Invalid setting labels.extra: %s is %s (name input label columns that are none of"
                + " the output tables' columns, e.g. labels.extra = [step])",
            name == null ? "null" : "\"" + name + "\"", why));
  }
}
