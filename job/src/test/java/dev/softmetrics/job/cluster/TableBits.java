package dev.softmetrics.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;

/**
 * An output table read back for comparison with another run's: its rows in a fixed order (by their
 * columns other than doubles, which identify a row: labels, counts, files), {@code run_id} left out
 * since it is the one column that differs between runs of the same input.
 *
 * <p>{@link #assertSameBits} compares every double by its bits ({@code Row.equals} would take 0.0
 * for -0.0, and one NaN for another).
 *
 * @param columns the column names
 * @param rows the rows, each value as Spark returns it (arrays as lists)
 */
public record TableBits(List<String> columns, List<List<Object>> rows) {

  /** The Parquet table in {@code dir}. */
  public static TableBits read(SparkSession spark, String dir) {
    Dataset<Row> table = spark.read().parquet(dir).drop("run_id");
    StructField[] fields = table.schema().fields();
    List<String> columns = new ArrayList<>();
    for (StructField field : fields) {
      columns.add(field.name());
    }
    List<List<Object>> rows = new ArrayList<>();
    for (Row row : table.collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < fields.length; i++) {
        boolean array = fields[i].dataType() instanceof ArrayType && !row.isNullAt(i);
        values.add(array ? List.copyOf(row.getList(i)) : row.get(i));
      }
      rows.add(values);
    }
    rows.sort(Comparator.comparing(TableBits::key).thenComparing(TableBits::line));
    return new TableBits(List.copyOf(columns), List.copyOf(rows));
  }

  /** The rows as text, every double and float with its bits. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (List<Object> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns.size(); i++) {
        line.append(columns.get(i)).append('=').append(exact(row.get(i))).append(' ');
      }
      lines.add(line.toString());
    }
    return lines;
  }

  /** Equal to {@code expected} to the last bit; a failure lists the rows that differ. */
  public void assertSameBits(TableBits expected, String name) {
    assertThat(columns).as("%s columns", name).isEqualTo(expected.columns);
    assertThat(lines()).as(name).containsExactlyElementsOf(expected.lines());
  }

  private static String key(List<Object> row) {
    StringBuilder key = new StringBuilder();
    for (Object value : row) {
      if (!(value instanceof Double)) {
        key.append(value).append('|');
      }
    }
    return key.toString();
  }

  private static String line(List<Object> row) {
    StringBuilder line = new StringBuilder();
    row.forEach(v -> line.append(exact(v)).append('|'));
    return line.toString();
  }

  private static Object exact(Object value) {
    if (value instanceof Double d) {
      return d + "/0x" + Long.toHexString(Double.doubleToRawLongBits(d));
    }
    if (value instanceof Float f) {
      return f + "/0x" + Integer.toHexString(Float.floatToRawIntBits(f));
    }
    if (value instanceof List<?> list) {
      List<Object> exact = new ArrayList<>();
      list.forEach(v -> exact.add(exact(v)));
      return exact;
    }
    return value;
  }
}
