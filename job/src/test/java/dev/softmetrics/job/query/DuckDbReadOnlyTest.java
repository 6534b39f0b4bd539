package dev.softmetrics.job.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DuckDB engine of {@code sql} is read-only by construction: every statement of {@link
 * HostileStatements} (written against Spark) and every statement below (DuckDB's own ways to write,
 * read files, load code or change settings) is refused with one line, and leaves every file under
 * the fixture and the temporary folder as it was; ordinary queries answer over the views, which
 * read the {@code file_key=} folders as Spark does.
 */
class DuckDbReadOnlyTest {

  @TempDir static Path root;

  private static HostileStatements.Fixture fixture;

  @BeforeAll
  static void writeTwoOutputsAndASecret() throws IOException {
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("softmetrics-duckdb-read-only")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      fixture =
          new HostileStatements.Fixture(
              root,
              root.resolve("out"),
              root.resolve("other"),
              root.resolve("secret.txt"),
              "softmetrics-hostile-" + UUID.randomUUID());
      StructType corpus =
          new StructType()
              .add("model", DataTypes.StringType)
              .add("domain", DataTypes.StringType)
              .add("sequences", DataTypes.LongType);
      write(spark, corpus, fixture.out().resolve("corpus"), RowFactory.create("m1", "web", 2L));
      write(
          spark, corpus, fixture.other().resolve("corpus"), RowFactory.create("theirs", "web", 9L));
      StructType sequences =
          new StructType()
              .add("sequence_id", DataTypes.StringType)
              .add("model", DataTypes.StringType)
              .add("nll_sum", DataTypes.DoubleType);
      write(
          spark,
          sequences,
          fixture.out().resolve("sequences/file_key=f01"),
          RowFactory.create("a", "m1", 1.0));
      write(
          spark,
          sequences,
          fixture.out().resolve("sequences/file_key=f02"),
          RowFactory.create("b", "m1", 3.0));
      Files.writeString(fixture.secret(), "top secret\n");
    } finally {
      spark.stop();
    }
  }

  private static void write(SparkSession spark, StructType schema, Path folder, Row... rows) {
    spark
        .createDataFrame(Arrays.asList(rows), schema)
        .coalesce(1)
        .write()
        .parquet(folder.toString());
  }

  @AfterAll
  static void removeTemporaryFiles() throws IOException {
    for (String name : tempFiles()) {
      Files.delete(Path.of(System.getProperty("java.io.tmpdir"), name));
    }
  }

  private static String run(String sql, ResultFormat format) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DuckDbQuery.run(
        fixture.out().toString(),
        sql,
        format,
        100,
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** A statement and what its refusal must name (empty: any one-line refusal). */
  record Hostile(String name, String sql, String refusal) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Hostile> hostile() {
    List<Hostile> all = new ArrayList<>();
    for (HostileStatements s : HostileStatements.all(fixture)) {
      all.add(new Hostile("spark's " + s.name(), s.sql(), ""));
    }
    all.addAll(duckDbStatements());
    return all.stream();
  }

  /** DuckDB's own ways out: each names what the refusal must say. */
  private static List<Hostile> duckDbStatements() {
    Path table = corpusFile();
    String elsewhere = root.resolve("elsewhere.csv").toString();
    String secret = fixture.secret().toString();
    String other = fixture.other().resolve("corpus").toString();
    String notAQuery = "not a query";
    return List.of(
        new Hostile("copy out", "COPY corpus TO '" + elsewhere + "'", "it is COPY, not a query"),
        new Hostile(
            "copy over a table's own file",
            "COPY (SELECT * FROM corpus) TO '" + table + "' (FORMAT parquet)",
            "it is COPY, not a query"),
        new Hostile(
            "copy behind a query",
            "SELECT 1; COPY (SELECT * FROM corpus) TO '" + table + "' (FORMAT parquet)",
            "it holds a statement that is not a query"),
        new Hostile(
            "drop behind a query", "SELECT 1; DROP VIEW corpus", "it holds a statement that"),
        new Hostile("two queries", "SELECT 1; SELECT 2", "it holds 2 statements"),
        new Hostile(
            "attach", "ATTACH '" + root.resolve("x.db") + "'", "it is ATTACH, " + notAQuery),
        new Hostile("install", "INSTALL httpfs", "it is INSTALL, " + notAQuery),
        new Hostile("load", "LOAD httpfs", "it is LOAD, " + notAQuery),
        new Hostile("read_csv of passwd", "SELECT * FROM read_csv('/etc/passwd')", "it reads"),
        new Hostile(
            "read_text of a secret", "SELECT * FROM read_text('" + secret + "')", "it reads"),
        new Hostile(
            "read_text out of a table folder",
            "SELECT * FROM read_text('" + fixture.out().resolve("corpus/../../secret.txt") + "')",
            "it reads"),
        new Hostile(
            "read_blob of a table folder",
            "SELECT * FROM read_blob('" + fixture.out().resolve("corpus/*") + "')",
            "it reads"),
        new Hostile("another output", "SELECT * FROM '" + other + "/*.parquet'", "it reads"),
        new Hostile(
            "another output by read_parquet",
            "SELECT * FROM read_parquet('" + other + "/*.parquet')",
            "it reads"),
        new Hostile("glob", "SELECT * FROM glob('" + root + "/*')", "it reads"),
        new Hostile(
            "copy through query()",
            "SELECT * FROM query('COPY corpus TO ''" + elsewhere + "''')",
            "Invalid SQL"),
        new Hostile("set", "SET enable_external_access = true", "it is SET, " + notAQuery),
        new Hostile("reset", "RESET allowed_paths", "it is RESET, " + notAQuery),
        new Hostile("set variable", "SET VARIABLE x = 1", "it is SET, " + notAQuery),
        new Hostile("pragma", "PRAGMA enable_profiling", "it is PRAGMA, " + notAQuery),
        new Hostile("call", "CALL pragma_version()", "it is CALL, " + notAQuery),
        new Hostile("create table", "CREATE TABLE t AS SELECT 1", "it is CREATE, " + notAQuery),
        new Hostile("create macro", "CREATE MACRO m(x) AS x", "it is CREATE, " + notAQuery),
        new Hostile("drop view", "DROP VIEW corpus", "it is DROP, " + notAQuery),
        new Hostile(
            "insert returning", "INSERT INTO corpus SELECT * FROM corpus RETURNING 1", notAQuery),
        new Hostile("export", "EXPORT DATABASE '" + root.resolve("dump") + "'", notAQuery),
        new Hostile("checkpoint", "CHECKPOINT", "it is CHECKPOINT, " + notAQuery),
        new Hostile("explain analyze", "EXPLAIN ANALYZE SELECT 1", "it is EXPLAIN, " + notAQuery),
        new Hostile(
            "with before copy",
            "/* x */ WITH t AS (SELECT 1) INSERT INTO corpus SELECT * FROM t",
            "it holds a statement that is not a query"));
  }

  private static Path corpusFile() {
    try (Stream<Path> files = Files.list(fixture.out().resolve("corpus"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void refusesAndChangesNothing(Hostile statement) {
    Map<String, Long> before = files(root);
    List<String> tempBefore = tempFiles();
    Throwable thrown = catchThrowable(() -> run(statement.sql(), ResultFormat.CSV));
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(files(root)).as("files under the fixture").isEqualTo(before);
    soft.assertThat(tempFiles()).as("temporary files made").isEqualTo(tempBefore);
    soft.assertThat(thrown)
        .as(statement.sql())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(statement.refusal())
        .hasMessageNotContaining("\n");
    soft.assertAll();
  }

  @Test
  void refusalNamesWhatItReadsTheFolderAndItsTables() {
    Throwable thrown =
        catchThrowable(
            () -> run("SELECT * FROM read_text('" + fixture.secret() + "')", ResultFormat.TABLE));
    assertThat(thrown)
        .hasMessage(
            "Cannot run the query: it reads "
                + fixture.secret()
                + " (sql runs read-only queries over the tables of "
                + fixture.out()
                + ": sequences, corpus)");
  }

  @Test
  void queriesAnswerOverTheViewsWithTheirPartitionColumn() {
    // m1's sequences: a (1.0, file f01) and b (3.0, file f02); corpus says 2 of them.
    assertThat(
            run(
                    "WITH s AS (SELECT model, sequence_id, file_key, sum(nll_sum) OVER (PARTITION"
                        + " BY model ORDER BY sequence_id) AS running FROM sequences) SELECT"
                        + " s.sequence_id, s.file_key, s.running, c.sequences FROM s JOIN corpus c"
                        + " USING (model) ORDER BY s.sequence_id",
                    ResultFormat.CSV)
                .lines())
        .containsExactly("sequence_id,file_key,running,sequences", "a,f01,1.0,2", "b,f02,4.0,2");
    assertThat(run("DESCRIBE sequences", ResultFormat.CSV).lines())
        .extracting(l -> l.split(",")[0] + " " + l.split(",")[1])
        .containsExactly(
            "column_name column_type",
            "sequence_id VARCHAR",
            "model VARCHAR",
            "nll_sum DOUBLE",
            "file_key VARCHAR");
    assertThat(run("SHOW TABLES", ResultFormat.CSV).lines())
        .containsExactly("name", "corpus", "sequences");
    assertThat(run("SELECT 1e-5 AS small, 'x' AS s, NULL AS n", ResultFormat.TABLE).lines())
        .containsExactly("small   s  n", "------  -  ----", "1.0E-5  x  NULL", "(1 row)");
  }

  /** Every file under {@code folder} with its size. */
  private static Map<String, Long> files(Path folder) {
    try (Stream<Path> walk = Files.walk(folder)) {
      Map<String, Long> sizes = new TreeMap<>();
      for (Path p : walk.toList()) {
        sizes.put(folder.relativize(p).toString(), Files.isDirectory(p) ? -1 : Files.size(p));
      }
      return sizes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> tempFiles() {
    String[] names = new File(System.getProperty("java.io.tmpdir")).list();
    return Arrays.stream(names == null ? new String[0] : names)
        .filter(n -> n.startsWith(fixture.tempPrefix()))
        .toList();
  }
}
