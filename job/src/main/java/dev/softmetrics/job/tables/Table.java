package dev.softmetrics.job.tables;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * An output table: the folder it is written to under the output folder, and its columns in table
 * order, from which its Spark schema is built.
 */
public final class Table {
  private final String folder;
  private final List<TableColumn> columns;
  private final StructType schema;

  private Table(String folder, List<TableColumn> columns) {
    this.folder = folder;
    this.columns = List.copyOf(columns);
    this.schema =
        new StructType(this.columns.stream().map(TableColumn::field).toArray(StructField[]::new));
  }

  /** Starts the table written to {@code folder}; its columns are added in table order. */
  static Builder named(String folder) {
    return new Builder(folder);
  }

  /** The table's folder name under the output folder, e.g. {@code sequences}. */
  public String folder() {
    return folder;
  }

  /** The columns, in table order. */
  public List<TableColumn> columns() {
    return columns;
  }

  /** The table's Spark schema, without the partition column of a partitioned table. */
  public StructType schema() {
    return schema;
  }

  /**
   * The position of the column named as {@code column} in the table's rows.
   *
   * @throws IllegalStateException when the table has no such column
   */
  public int ordinal(TableColumn column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column.name())) {
        return i;
      }
    }
    throw new IllegalStateException("Table " + folder + "/ has no column " + column.name());
  }

  /**
   * This table with a required text column per name of {@code labels} right after the column named
   * {@code after}; this table itself when there are none.
   */
  public Table withLabelsAfter(String after, List<String> labels) {
    if (labels.isEmpty()) {
      return this;
    }
    List<TableColumn> wider = new ArrayList<>();
    for (TableColumn column : columns) {
      wider.add(column);
      if (column.name().equals(after)) {
        labels.forEach(
            l ->
                wider.add(
                    TableColumn.required(l, org.apache.spark.sql.types.DataTypes.StringType)));
      }
    }
    if (wider.size() != columns.size() + labels.size()) {
      throw new IllegalStateException("Table " + folder + "/ has no column " + after);
    }
    return new Table(folder, wider);
  }

  /** The folder of this table under {@code output}. */
  public String path(String output) {
    return output.endsWith("/") ? output + folder : output + "/" + folder;
  }

  /** Collects a table's columns in order. */
  static final class Builder {
    private final String folder;
    private final List<TableColumn> columns = new ArrayList<>();

    private Builder(String folder) {
      this.folder = folder;
    }

    Builder add(TableColumn... more) {
      columns.addAll(Arrays.asList(more));
      return this;
    }

    Table build() {
      return new Table(folder, columns);
    }
  }
}
