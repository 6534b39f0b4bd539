package dev.softmetrics.job.tables;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;

/**
 * One column of an output table: its name, its Spark SQL type and whether it may be null. The
 * tables' schemas are built from these ({@link Tables}), so a column is declared once for every
 * table that has it.
 */
public record TableColumn(String name, DataType type, boolean nullable) {

  /** A column that is never null. */
  public static TableColumn required(String name, DataType type) {
    return new TableColumn(name, type, false);
  }

  /** A column that may be null. */
  public static TableColumn optional(String name, DataType type) {
    return new TableColumn(name, type, true);
  }

  /** The same column, nullable: a label as read from bad input, say. */
  public TableColumn asNullable() {
    return new TableColumn(name, type, true);
  }

  /** The column as a field of a Spark schema. */
  public StructField field() {
    return new StructField(name, type, nullable, Metadata.empty());
  }
}
