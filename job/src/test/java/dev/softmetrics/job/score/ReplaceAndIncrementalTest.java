package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs into an output folder that earlier runs wrote: a run replaces the rows of the files it read
 * and keeps the others, corpus/ over the stored rows is the corpus of one run over all of them (to
 * the bit), and incremental runs score only the files that are new or changed.
 */
class ReplaceAndIncrementalTest extends LocalSparkTest {
  @TempDir Path tmp;

  private static final StructType SCHEMA =
      new StructType()
          .add("sequence_id", DataTypes.StringType, false)
          .add("model", DataTypes.StringType, false)
          .add("tokenizer", DataTypes.StringType, false)
          .add("domain", DataTypes.StringType, false)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add("token_entropies", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add("text", DataTypes.StringType, false);

  @Test
  void corpusOverRowsOfSeveralRunsEqualsOneRunOverAllOfThem() {
    String a = shard("a", "m1", 1);
    String b = shard("b", "m1", 2);
    String together = dir("together");
    String apart = dir("apart");
    run(List.of(a, b), together, "both", false);
    run(List.of(a), apart, "only-a", false);
    run(List.of(b), apart, "only-b", false);

    assertThat(rows(apart, "corpus")).isEqualTo(rows(together, "corpus")).isNotEmpty();
    assertThat(rows(apart, "positions")).isEqualTo(rows(together, "positions")).isNotEmpty();
    assertThat(rows(apart, "sequences")).isEqualTo(rows(together, "sequences"));
    assertThat(runIds(apart, "sequences")).containsOnlyKeys("only-a", "only-b");
  }

  @Test
  void aRerunReplacesTheRowsOfItsFilesAndKeepsOtherModelsAndEarlierRuns() {
    String a = shard("a", "m1", 1);
    String b = shard("b", "m2", 2);
    String out = dir("out");
    run(List.of(a, b), out, "first", false);
    shard("a", "m1", 3); // the file changes: other sequences, other values

    run(List.of(a), out, "second", false);

    Map<String, Long> byRun = runIds(out, "sequences");
    assertThat(byRun).containsOnlyKeys("first", "second");
    assertThat(spark.read().parquet(out + "/sequences").where("model = 'm2'").count())
        .isEqualTo(spark.read().parquet(out + "/sequences").where("run_id = 'first'").count());
    String fresh = dir("fresh");
    run(List.of(a, b), fresh, "fresh", false);
    assertThat(rows(out, "corpus")).isEqualTo(rows(fresh, "corpus"));
    assertThat(rows(out, "positions")).isEqualTo(rows(fresh, "positions")).isNotEmpty();
    assertThat(rows(out, "sequences")).isEqualTo(rows(fresh, "sequences"));
  }

  @Test
  void incrementalRunsScoreOnlyNewAndChangedFiles() throws Exception {
    String in = dir("in");
    String shards = in + "/*/*.parquet";
    // Folder names that Spark spells differently as listed and in _metadata.file_path.
    shardInto(in + "/one é", "m1", 1);
    shardInto(in + "/two 2", "m1", 2);
    String out = dir("out");
    Row first = run(List.of(shards), out, "first", true);
    assertThat(first.<Long>getAs("rows_read")).isEqualTo(rowsOf(1) + rowsOf(2));
    assertThat(first.getList(first.fieldIndex("unchanged_files"))).isEmpty();

    shardInto(in + "/three", "m2", 3);
    Row second = run(List.of(shards), out, "second", true);
    assertThat(second.<Long>getAs("rows_read")).isEqualTo(rowsOf(3));
    assertThat(second.getList(second.fieldIndex("unchanged_files"))).hasSize(2);
    assertThat(second.<Boolean>getAs("incremental")).isTrue();

    Thread.sleep(1_100); // a new modification time, on file systems that keep seconds only
    shardInto(in + "/two 2", "m1", 4);
    Row third = run(List.of(shards), out, "third", true);
    assertThat(third.<Long>getAs("rows_read")).isEqualTo(rowsOf(4));
    assertThat(third.getList(third.fieldIndex("unchanged_files"))).hasSize(2);

    Row nothing = run(List.of(shards), out, "nothing", true);
    assertThat(nothing.<Long>getAs("rows_read")).isZero();
    assertThat(nothing.getList(nothing.fieldIndex("unchanged_files"))).hasSize(3);

    String fresh = dir("fresh");
    run(List.of(shards), fresh, "fresh", false);
    assertThat(rows(out, "corpus")).isEqualTo(rows(fresh, "corpus"));
    assertThat(rows(out, "sequences")).isEqualTo(rows(fresh, "sequences"));
    assertThat(runIds(out, "sequences")).containsOnlyKeys("first", "second", "third");
  }

  /**
   * A new file that repeats sequences an earlier run stored from another file (here in an
   * incremental run, which leaves that file out): the stored copies are kept, the new copies
   * rejected as DUPLICATE_SEQUENCE naming the stored file, and corpus/ counts each sequence once.
   */
  @Test
  void aSequenceStoredFromAnotherFileIsRejectedAgainNotCountedTwice() {
    String a = shard("a", "m1", 1);
    String out = dir("out");
    run(List.of(a), out, "first", true);
    List<Row> repeated = sequences("m1", 1).subList(0, 2);
    List<Row> fresh = sequences("m1", 2);
    List<Row> mixed = new ArrayList<>(fresh);
    mixed.add(3, repeated.get(1));
    mixed.add(repeated.get(0));
    String c = dir("c");
    rowsInto(c, mixed);

    Row second = run(List.of(a, c), out, "second", true);

    assertThat(second.<Long>getAs("rows_read")).isEqualTo(mixed.size());
    assertThat(second.<Long>getAs("rows_rejected")).isEqualTo(2);
    List<Row> rejected =
        spark
            .read()
            .parquet(out + "/rejected")
            .where("run_id = 'second'")
            .orderBy("source_row")
            .collectAsList();
    assertThat(rejected)
        .extracting(r -> r.<String>getAs("reason"))
        .containsOnly("DUPLICATE_SEQUENCE");
    assertThat(rejected).extracting(r -> r.<Long>getAs("source_row")).containsExactly(3L, 8L);
    assertThat(rejected)
        .extracting(r -> r.<String>getAs("sequence_id"))
        .containsExactly(repeated.get(1).getString(0), repeated.get(0).getString(0));
    assertThat(rejected.get(0).<String>getAs("message"))
        .contains("scored by an earlier run from ")
        .contains("a/shard.parquet");
    String d = dir("d");
    rowsInto(d, fresh);
    String once = dir("once");
    run(List.of(a, d), once, "once", false);
    assertThat(rows(out, "corpus")).isEqualTo(rows(once, "corpus")).isNotEmpty();

    // A rerun of the stored file itself replaces its rows: no copy of them is stored elsewhere.
    Row third = run(List.of(a), out, "third", false);
    assertThat(third.<Long>getAs("rows_rejected")).isZero();
    assertThat(rows(out, "corpus")).isEqualTo(rows(once, "corpus"));
  }

  // ---------------------------------------------------------------- fixtures

  /** Sequences of {@code seed}: a few per domain, random log-probs and entropies, real text. */
  private static List<Row> sequences(String model, int seed) {
    java.util.Random random = new java.util.Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < rowsOf(seed); i++) {
      int tokens = 1 + random.nextInt(9);
      float[] lp = new float[tokens];
      float[] h = new float[tokens];
      for (int t = 0; t < tokens; t++) {
        lp[t] = (float) -(random.nextDouble() * 6);
        h[t] = (float) (random.nextDouble() * 4);
      }
      rows.add(
          RowFactory.create(
              "s" + seed + "-" + i,
              model,
              "tok",
              i % 2 == 0 ? "news" : "web",
              lp,
              h,
              "texte numéro " + seed + " " + i));
    }
    return rows;
  }

  private static long rowsOf(int seed) {
    return 5L + seed;
  }

  private String shard(String name, String model, int seed) {
    String dir = dir(name);
    shardInto(dir, model, seed);
    return dir;
  }

  /** Writes {@code dir/shard.parquet}, replacing it: the same path with new content. */
  private void shardInto(String dir, String model, int seed) {
    rowsInto(dir, sequences(model, seed));
  }

  /** Writes {@code rows}, in order, as {@code dir/shard.parquet}, replacing it. */
  private void rowsInto(String dir, List<Row> rows) {
    String staging = tmp.resolve("staging").toString();
    spark
        .createDataFrame(rows, SCHEMA)
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(staging);
    try (java.util.stream.Stream<Path> files = Files.list(Path.of(staging))) {
      Path part = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.createDirectories(Path.of(dir));
      Files.move(part, Path.of(dir, "shard.parquet"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String dir(String name) {
    return tmp.resolve(name).toString();
  }

  /** Runs the job; returns its runs/ row. */
  private static Row run(List<String> inputs, String output, String runId, boolean incremental) {
    JobConfig config = JobConfig.load(null, List.of("incremental=" + incremental));
    ScoreJob.run(spark, new ScoreRequest(inputs, output, runId, config));
    return spark.read().parquet(output + "/runs").where("run_id = '" + runId + "'").first();
  }

  /** A table's rows without run_id, as sorted strings. */
  private static List<String> rows(String output, String table) {
    return Shards.tableRows(spark, output + "/" + table);
  }

  /** Rows of a table per run id. */
  private static Map<String, Long> runIds(String output, String table) {
    Map<String, Long> counts = new TreeMap<>();
    for (Row r :
        spark.read().parquet(output + "/" + table).groupBy("run_id").count().collectAsList()) {
      counts.put(r.getString(0), r.getLong(1));
    }
    return counts;
  }
}
