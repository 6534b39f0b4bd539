package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.softmetrics.corpora.DemoCorpusWriter;
import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.output.ResultsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code results.json} holds what the tables hold: every row of {@code corpus/} and {@code
 * comparisons/}, every column by name and in order, every double to the bit, and the latest row of
 * {@code runs/}; the tables are read by DuckDB, not by the job. A second run replaces the file
 * whole, and a write that fails leaves the previous file as it was.
 */
class ResultsJsonTest extends LocalSparkTest {
  @TempDir Path tmp;

  @Test
  void resultsJsonHoldsTheTablesBitForBit() throws Exception {
    String input = tmp.resolve("input").toString();
    String output = tmp.resolve("out").toString();
    DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(7, 3, 40, 9), 300, 2, input);
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "first", JobConfig.defaults()));
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "second", JobConfig.defaults()));

    JsonNode results = new ObjectMapper().readTree(Path.of(output, "results.json").toFile());
    assertThat(fieldNames(results)).containsExactly("corpus", "comparisons", "run");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      SoftAssertions soft = new SoftAssertions();
      int corpus =
          sameRows(
              duck, output + "/corpus", "model, tokenizer, domain", results.get("corpus"), soft);
      int comparisons =
          sameRows(
              duck,
              output + "/comparisons",
              "model_a, tokenizer_a, model_b, tokenizer_b, domain",
              results.get("comparisons"),
              soft);
      soft.assertAll();
      assertThat(corpus).isGreaterThan(4);
      assertThat(comparisons).isGreaterThan(2);
      JsonNode run = results.get("run");
      assertThat(run.get("run_id").asText()).isEqualTo("second");
      try (ResultSet runs =
          duck.createStatement()
              .executeQuery(
                  "SELECT * FROM read_parquet('"
                      + output
                      + "/runs/*.parquet') WHERE run_id = 'second'")) {
        assertThat(runs.next()).isTrue();
        SoftAssertions runSoft = new SoftAssertions();
        sameRow(runs, run, runSoft);
        runSoft.assertAll();
      }
    }
  }

  /**
   * Compares the table at {@code folder}, ordered by {@code key}, with the JSON array {@code rows}
   * in the same order; returns the number of rows.
   */
  private static int sameRows(
      Connection duck, String folder, String key, JsonNode rows, SoftAssertions soft)
      throws SQLException {
    List<JsonNode> json = new ArrayList<>();
    rows.forEach(json::add);
    json.sort((a, b) -> keyOf(a, key).compareTo(keyOf(b, key)));
    try (ResultSet table =
        duck.createStatement()
            .executeQuery(
                "SELECT * FROM read_parquet('"
                    + folder
                    + "/*.parquet') ORDER BY "
                    + key.replace(",", " COLLATE C,")
                    + " COLLATE C")) {
      int n = 0;
      while (table.next()) {
        soft.assertThat(n).as("rows of " + folder).isLessThan(json.size());
        if (n < json.size()) {
          sameRow(table, json.get(n), soft);
        }
        n++;
      }
      soft.assertThat(json).as("rows of " + folder).hasSize(n);
      return n;
    }
  }

  private static String keyOf(JsonNode row, String key) {
    StringBuilder k = new StringBuilder();
    for (String column : key.split(",\\s*")) {
      k.append(row.get(column).asText()).append('\u0000');
    }
    return k.toString();
  }

  /** Every column of the table's current row against the JSON object, by name and in order. */
  private static void sameRow(ResultSet table, JsonNode json, SoftAssertions soft)
      throws SQLException {
    ResultSetMetaData meta = table.getMetaData();
    List<String> columns = new ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      columns.add(meta.getColumnName(i));
    }
    soft.assertThat(fieldNames(json)).isEqualTo(columns);
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      String where = json.path("run_id").asText() + " " + keyText(json) + " " + columns.get(i - 1);
      sameValue(table.getObject(i), json.path(columns.get(i - 1)), where, soft);
    }
  }

  private static String keyText(JsonNode json) {
    return json.path("model").asText(json.path("model_a").asText())
        + "/"
        + json.path("domain").asText();
  }

  private static void sameValue(Object value, JsonNode json, String where, SoftAssertions soft)
      throws SQLException {
    if (value == null) {
      soft.assertThat(json.isNull()).as(where + " is null").isTrue();
    } else if (value instanceof Double d) {
      double read = json.isTextual() ? Double.parseDouble(json.asText()) : json.doubleValue();
      soft.assertThat(json.isNumber() || !Double.isFinite(d)).as(where + " a number").isTrue();
      soft.assertThat(Double.doubleToRawLongBits(read))
          .as(where + ": " + d + " vs " + json)
          .isEqualTo(Double.doubleToRawLongBits(d));
    } else if (value instanceof Number n) {
      soft.assertThat(json.isIntegralNumber()).as(where + " an integer").isTrue();
      soft.assertThat(json.longValue()).as(where).isEqualTo(n.longValue());
    } else if (value instanceof Boolean b) {
      soft.assertThat(json.isBoolean() && json.booleanValue() == b).as(where).isTrue();
    } else if (value instanceof String s) {
      soft.assertThat(json.asText()).as(where).isEqualTo(s);
    } else if (value instanceof Array array) {
      Object[] elements = (Object[]) array.getArray();
      soft.assertThat(json.size()).as(where + " elements").isEqualTo(elements.length);
      for (int i = 0; i < elements.length && i < json.size(); i++) {
        sameNested(elements[i], json.get(i), where + "[" + i + "]", soft);
      }
    } else if (value instanceof java.sql.Timestamp t) {
      // DuckDB reads the table's UTC microseconds as a timestamp without zone.
      soft.assertThat(json.asText())
          .as(where)
          .isEqualTo(t.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC).toString());
    } else {
      sameNested(value, json, where, soft);
    }
  }

  /** Maps, structs and their elements: the same text, key by key. */
  private static void sameNested(Object value, JsonNode json, String where, SoftAssertions soft)
      throws SQLException {
    if (value instanceof java.util.Map<?, ?> map) {
      soft.assertThat(json.size()).as(where + " entries").isEqualTo(map.size());
      for (var entry : map.entrySet()) {
        sameValue(entry.getValue(), json.path(String.valueOf(entry.getKey())), where, soft);
      }
    } else if (value instanceof org.duckdb.DuckDBStruct struct) {
      for (var entry : struct.getMap().entrySet()) {
        sameValue(entry.getValue(), json.path(entry.getKey()), where + "." + entry.getKey(), soft);
      }
    } else {
      sameValue(value, json, where, soft);
    }
  }

  private static List<String> fieldNames(JsonNode json) {
    List<String> names = new ArrayList<>();
    Iterator<String> it = json.fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }

  @Test
  void aFailedWriteLeavesThePreviousFile() throws IOException {
    String output = tmp.toString();
    StructType schema = new StructType().add("x", DataTypes.DoubleType);
    ResultsFile.TableRows good =
        new ResultsFile.TableRows(schema, List.of(RowFactory.create(0.1 + 0.2)));
    ResultsFile.write(spark.sparkContext().hadoopConfiguration(), output, good, good, good);
    Path file = tmp.resolve("results.json");
    String before = Files.readString(file);
    assertThat(before).contains("\"x\" : 0.30000000000000004");

    StructType odd = new StructType().add("x", DataTypes.CalendarIntervalType);
    ResultsFile.TableRows bad =
        new ResultsFile.TableRows(
            odd,
            List.of(
                RowFactory.create(new org.apache.spark.unsafe.types.CalendarInterval(1, 2, 3))));
    Throwable thrown =
        catchThrowable(
            () ->
                ResultsFile.write(
                    spark.sparkContext().hadoopConfiguration(), output, good, bad, good));
    assertThat(thrown).hasMessageContaining("cannot write a column of type");
    assertThat(Files.readString(file)).isEqualTo(before);
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("results.json");
    }
  }

  /**
   * A run killed between writing results.json's hidden staging file and renaming it leaves that
   * file behind; the next run (holding the output's lock, so no other run is writing one) removes
   * it, and nothing else that looks like it.
   */
  @Test
  void aKilledRunsStagingFileIsRemovedByTheNextWrite() throws IOException {
    Path stale = tmp.resolve(".results.json.3f1c2b9e-0000-4000-8000-000000000000.tmp");
    Files.writeString(stale, "{\"corpus\": [");
    Path other = tmp.resolve(".results.json.notes");
    Files.writeString(other, "kept");
    StructType schema = new StructType().add("x", DataTypes.DoubleType);
    ResultsFile.TableRows row = new ResultsFile.TableRows(schema, List.of(RowFactory.create(1.0)));

    ResultsFile.write(spark.sparkContext().hadoopConfiguration(), tmp.toString(), row, row, row);

    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("results.json", ".results.json.notes");
    }
  }

  @Test
  void doublesAreShortestAndNonFiniteOnesAreStrings() throws IOException {
    StructType schema =
        new StructType()
            .add("a", DataTypes.DoubleType)
            .add("b", DataTypes.DoubleType)
            .add("c", DataTypes.DoubleType)
            .add("d", DataTypes.DoubleType)
            .add("e", DataTypes.DoubleType);
    // 2e23 is where Java 17's Double.toString is not the shortest (2.0000000000000002E23).
    ResultsFile.TableRows row =
        new ResultsFile.TableRows(
            schema,
            List.of(
                RowFactory.create(
                    2e23, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.0)));
    ResultsFile.write(spark.sparkContext().hadoopConfiguration(), tmp.toString(), row, row, row);
    String text = Files.readString(tmp.resolve("results.json"));
    assertThat(text).contains("\"a\" : 2.0E23,");
    JsonNode run = new ObjectMapper().readTree(text).get("run");
    assertThat(run.get("a").doubleValue()).isEqualTo(2e23);
    assertThat(run.get("b").textValue()).isEqualTo("NaN");
    assertThat(run.get("c").textValue()).isEqualTo("Infinity");
    assertThat(run.get("d").textValue()).isEqualTo("-Infinity");
    assertThat(run.get("e").doubleValue()).isEqualTo(1.0);
  }
}
