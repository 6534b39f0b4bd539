package dev.softmetrics.job.tables;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Some columns of a stored table, selected in a fixed order, so that code reading the selection's
 * rows (as {@code Row} or {@code InternalRow}) finds each field by its column: {@code
 * row.getLong(projection.ordinal(Columns.TOKENS))}, computed once into a constant.
 */
public final class Projection {
  private final List<TableColumn> columns;

  private Projection(List<TableColumn> columns) {
    this.columns = List.copyOf(columns);
  }

  /** The columns {@code columns}, in this order. */
  public static Projection of(TableColumn... columns) {
    return new Projection(Arrays.asList(columns));
  }

  /** This projection followed by {@code more}. */
  public Projection and(TableColumn... more) {
    List<TableColumn> all = new ArrayList<>(columns);
    all.addAll(Arrays.asList(more));
    return new Projection(all);
  }

  /** The rows of {@code table} with only these columns, in this order. */
  public Dataset<Row> select(Dataset<Row> table) {
    return table.select(columns.stream().map(c -> functions.col(c.name())).toArray(Column[]::new));
  }

  /**
   * The rows of {@code table} with these columns, then the extra label columns {@code extraLabels}
   * (from {@link #ordinal}'s last position on, in their order).
   */
  public Dataset<Row> select(Dataset<Row> table, java.util.List<String> extraLabels) {
    java.util.List<Column> all = new ArrayList<>();
    columns.forEach(c -> all.add(functions.col(c.name())));
    extraLabels.forEach(l -> all.add(functions.col("`" + l.replace("`", "``") + "`")));
    return table.select(all.toArray(Column[]::new));
  }

  /** The number of these columns: where the extra label columns of a selection start. */
  public int size() {
    return columns.size();
  }

  /**
   * The position of {@code column} in the selected rows.
   *
   * @throws IllegalStateException when the projection does not have it
   */
  public int ordinal(TableColumn column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column.name())) {
        return i;
      }
    }
    throw new IllegalStateException("Column " + column.name() + " is not selected");
  }
}
