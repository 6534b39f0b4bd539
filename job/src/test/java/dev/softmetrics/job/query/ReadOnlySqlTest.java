package dev.softmetrics.job.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
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
 * {@code sql} only runs read-only queries over the output folder's own tables: every statement of
 * {@link HostileStatements} is refused with one line naming what it does, and leaves every file
 * under the fixture (and the temporary folder) as it was; ordinary queries still answer.
 */
class ReadOnlySqlTest {

  @TempDir static Path root;

  private static SparkSession spark;
  private static HostileStatements.Fixture fixture;
  private static OutputViews views;

  @BeforeAll
  static void writeTwoOutputsAndASecret() throws IOException {
    spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("softmetrics-read-only-sql")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
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
    write(corpus, fixture.out().resolve("corpus"), RowFactory.create("m1", "web", 2L));
    write(corpus, fixture.other().resolve("corpus"), RowFactory.create("theirs", "web", 9L));
    StructType sequences =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("nll_sum", DataTypes.DoubleType);
    write(
        sequences,
        fixture.out().resolve("sequences"),
        RowFactory.create("a", "m1", 1.0),
        RowFactory.create("b", "m1", 3.0));
    Files.writeString(fixture.secret(), "top secret\n");
    views = OutputFolder.registerViews(spark, fixture.out().toString());
  }

  private static void write(StructType schema, Path folder, Row... rows) {
    spark
        .createDataFrame(Arrays.asList(rows), schema)
        .coalesce(1)
        .write()
        .parquet(folder.toString());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @AfterAll
  static void removeTemporaryFiles() throws IOException {
    for (String name : tempFiles()) {
      Files.delete(Path.of(System.getProperty("java.io.tmpdir"), name));
    }
  }

  private static Dataset<Row> plan(String sql) {
    return SqlQuery.plan(spark, views, sql);
  }

  static Stream<HostileStatements> hostile() {
    return HostileStatements.all(fixture).stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void refusesAndChangesNothing(HostileStatements statement) {
    Map<String, Long> before = files(root);
    List<String> tempBefore = tempFiles();
    Throwable thrown = catchThrowable(() -> plan(statement.sql()).collectAsList());
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
  void refusalNamesTheFolderAndItsTables() {
    Throwable thrown = catchThrowable(() -> plan("SELECT reflect('java.lang.Thread', 'yield')"));
    assertThat(thrown)
        .hasMessage(
            "Cannot run the query: it calls reflect (sql runs read-only queries over the tables"
                + " of "
                + fixture.out()
                + ": sequences, corpus)");
  }

  @Test
  void aViewOverAnotherFolderIsRefusedOnceResolved() throws Exception {
    spark.read().parquet(fixture.other().resolve("corpus").toString()).createTempView("theirs");
    try {
      Throwable thrown =
          catchThrowable(() -> plan("SELECT * FROM corpus JOIN theirs USING (model)"));
      assertThat(thrown)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "Cannot run the query: it reads file:" + fixture.other().resolve("corpus") + " (");
    } finally {
      spark.catalog().dropTempView("theirs");
    }
  }

  @Test
  void joinsCtesAndWindowsStillAnswer() {
    // m1's sequences: a (1.0) and b (3.0); corpus says 2 of them.
    assertThat(
            plan("WITH s AS (SELECT model, sequence_id, nll_sum, sum(nll_sum) OVER (PARTITION BY"
                    + " model ORDER BY sequence_id) AS running FROM sequences) SELECT"
                    + " s.sequence_id, s.running, c.sequences FROM s JOIN corpus c USING"
                    + " (model) ORDER BY s.sequence_id")
                .collectAsList())
        .containsExactly(RowFactory.create("a", 1.0, 2L), RowFactory.create("b", 4.0, 2L));
    assertThat(plan("SELECT 1").collectAsList()).containsExactly(RowFactory.create(1));
    assertThat(plan("SELECT count(*), sum(id) FROM range(10)").collectAsList())
        .containsExactly(RowFactory.create(10L, 45L));
    assertThat(plan("VALUES (1), (2)").count()).isEqualTo(2);
    assertThat(
            plan("SELECT DISTINCT input_file_name() LIKE '%/out/corpus/%' FROM corpus")
                .collectAsList())
        .containsExactly(RowFactory.create(true));
  }

  @Test
  void describingStatementsStillAnswer() {
    assertThat(plan("DESCRIBE corpus").collectAsList())
        .extracting(r -> r.getString(0) + " " + r.getString(1))
        .containsExactly("model string", "domain string", "sequences bigint");
    assertThat(plan("EXPLAIN SELECT * FROM corpus").collectAsList().get(0).getString(0))
        .contains("== Physical Plan ==");
    assertThat(plan("SHOW TABLES").collectAsList())
        .extracting(r -> r.getString(1))
        .containsExactlyInAnyOrder("corpus", "sequences");
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
