package dev.softmetrics.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * DuckDB query results as rows of column maps, and a cell-by-cell comparison of a table the job
 * wrote with the same table computed by DuckDB, for the cross-check tests.
 */
final class DuckDbRows {
  private final Connection duck;
  private final Set<String> exact;
  private final double relativeTolerance;

  /**
   * Rows of {@code duck}; {@code exact} names the integer columns that must match exactly, every
   * other double column matches to {@code relativeTolerance}.
   */
  DuckDbRows(Connection duck, Set<String> exact, double relativeTolerance) {
    this.duck = duck;
    this.exact = exact;
    this.relativeTolerance = relativeTolerance;
  }

  /**
   * Compares two tables keyed alike: the same keys, the same columns, and in every cell the same
   * value (exactly for strings, booleans and {@code exact} columns; to the relative tolerance for
   * doubles; null only against null). Lists every difference by row and column.
   */
  void assertSameRows(
      String table,
      Map<String, Map<String, Object>> expected,
      Map<String, Map<String, Object>> actual) {
    Set<String> onlyInDuckDb = new TreeSet<>(expected.keySet());
    onlyInDuckDb.removeAll(actual.keySet());
    Set<String> onlyInJob = new TreeSet<>(actual.keySet());
    onlyInJob.removeAll(expected.keySet());
    assertThat(onlyInDuckDb).as("rows DuckDB expects that %s lacks", table).isEmpty();
    assertThat(onlyInJob).as("rows of %s that DuckDB does not expect", table).isEmpty();
    Set<String> expectedColumns = expected.values().iterator().next().keySet();
    Set<String> actualColumns = actual.values().iterator().next().keySet();
    assertThat(new TreeSet<>(actualColumns))
        .as("columns of %s (the DuckDB reference computes each of them)", table)
        .isEqualTo(new TreeSet<>(expectedColumns));
    List<String> differences = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> row : expected.entrySet()) {
      for (String column : expectedColumns) {
        Object want = row.getValue().get(column);
        Object got = actual.get(row.getKey()).get(column);
        String problem = difference(column, want, got);
        if (problem != null) {
          differences.add(
              String.format("%s row [%s] column %s: %s", table, row.getKey(), column, problem));
        }
      }
    }
    assertThat(differences)
        .as("cells of %s that differ from DuckDB (%d rows compared)", table, expected.size())
        .isEmpty();
  }

  /** Why {@code got} does not match {@code want} in a column, or null if it does. */
  private String difference(String column, Object want, Object got) {
    if (want == null || got == null) {
      return want == got ? null : "DuckDB " + want + ", job " + got;
    }
    if (exact.contains(column)) {
      if (!isIntegral(want) || !isIntegral(got)) {
        return "count not an integer: DuckDB " + typed(want) + ", job " + typed(got);
      }
      return toBigInteger(want).equals(toBigInteger(got))
          ? null
          : "DuckDB " + want + ", job " + got;
    }
    if (want instanceof Double w) {
      if (!(got instanceof Double g)) {
        return "DuckDB " + typed(want) + ", job " + typed(got);
      }
      return closeTo(w, g)
          ? null
          : String.format(
              "DuckDB %s, job %s (relative difference %.3e > %.0e)",
              w, g, Math.abs(w - g) / Math.max(Math.abs(w), Math.abs(g)), relativeTolerance);
    }
    return want.equals(got) ? null : "DuckDB " + typed(want) + ", job " + typed(got);
  }

  /** Equal to the relative tolerance of the larger magnitude; NaN only equals NaN. */
  private boolean closeTo(double want, double got) {
    if (Double.isNaN(want) || Double.isNaN(got)) {
      return Double.isNaN(want) && Double.isNaN(got);
    }
    if (want == got) {
      return true;
    }
    return Math.abs(want - got) <= relativeTolerance * Math.max(Math.abs(want), Math.abs(got));
  }

  private static boolean isIntegral(Object value) {
    return value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof BigInteger;
  }

  private static BigInteger toBigInteger(Object value) {
    return value instanceof BigInteger b ? b : BigInteger.valueOf(((Number) value).longValue());
  }

  private static String typed(Object value) {
    return value + " (" + value.getClass().getSimpleName() + ")";
  }

  /** A query's rows by the values of its key columns, failing on a duplicate key. */
  Map<String, Map<String, Object>> rowsByKey(String sql, String... keyColumns) throws SQLException {
    Map<String, Map<String, Object>> rows = new TreeMap<>();
    for (Map<String, Object> row : query(sql)) {
      List<String> key = new ArrayList<>();
      for (String column : keyColumns) {
        key.add(column + "=" + row.get(column));
      }
      String name = String.join(", ", key);
      assertThat(rows.put(name, row)).as("duplicate key [%s] in %s", name, sql).isNull();
    }
    assertThat(rows).as("rows of %s", sql).isNotEmpty();
    return rows;
  }

  Map<String, Object> single(String sql) throws SQLException {
    List<Map<String, Object>> rows = query(sql);
    assertThat(rows).as("rows of %s", sql).hasSize(1);
    return rows.get(0);
  }

  List<Map<String, Object>> query(String sql) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Statement s = duck.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      ResultSetMetaData meta = r.getMetaData();
      while (r.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
          row.put(meta.getColumnName(c), r.getObject(c));
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
