package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.output.RunRecord;
import dev.softmetrics.job.tables.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.duckdb.DuckDBDriver;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A property over random folder trees: one corpus split at random over files placed under plain
 * folders, {@code key=value} folders (the model label, at any depth; sometimes an empty value;
 * sometimes an extra label only some files have), hidden folders and files holding decoy rows, and
 * empty folders. For every try, the job's {@code sequences/} equals, row by row, what DuckDB
 * computes over the visible files (tokens, nll_sum, bytes, source file), with each row's model the
 * one the test put in its path; the rows under an empty {@code model=} are rejected as {@code
 * MISSING_LABEL}; {@code runs/} lists exactly the visible files, balanced.
 *
 * <p>Each try is generated from its own seed, shown in its name; the seeds start from a new base
 * each run, or from {@code -Dsoftmetrics.property.seed=N}, which repeats a run exactly.
 */
class FolderLayoutPropertyTest extends LocalSparkTest {
  private static final long BASE_SEED =
      Long.getLong("softmetrics.property.seed", new SplittableRandom().nextLong());

  private static final StructType SCHEMA =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("text", DataTypes.StringType);

  private static final String[] PLAIN = {"2026-12-01", "batch 1", "evals", "shard_2", "x=", "a.b"};
  private static final String[] MODELS = {"a", "b-2", "m 1", ""};
  private static final String[] HIDDEN = {"_tmp", ".staging", "_temporary"};
  private static final String[] TEXTS = {"ab", "héllo wörld", "日本語", "😀 x", "a b c"};

  @TestFactory
  Stream<DynamicTest> scoredRowsEqualDuckDbsOverTheVisibleFilesWithTheLabelsOfTheirFolders() {
    return LongStream.range(0, 4)
        .mapToObj(
            i ->
                DynamicTest.dynamicTest(
                    "try " + i + ", seed " + (BASE_SEED + i) + " (base " + BASE_SEED + ")",
                    () -> property(BASE_SEED + i)));
  }

  /** A visible file the test placed: its path and the model its folders give (null: empty). */
  private record Placed(Path file, String model) {}

  private static void property(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Path dir = Files.createTempDirectory("softmetrics-layout");
    try {
      Path in = dir.resolve("in");
      List<Placed> visible = new ArrayList<>();
      int files = 1 + random.nextInt(4);
      int rows = 0;
      for (int f = 0; f < files; f++) {
        String model = MODELS[random.nextInt(MODELS.length)];
        Path file = in.resolve(visiblePath(random, model, f));
        List<Row> content = new ArrayList<>();
        for (int r = random.nextInt(5); r >= 0; r--) {
          content.add(row(random, "s" + rows++));
        }
        place(dir, file, content);
        visible.add(new Placed(file, model.isEmpty() ? null : model));
      }
      addDecoys(random, dir, in);
      RunResult result = score(in, dir.resolve("out"));
      assertMatchesDuckDb(visible, dir.resolve("out"), result, rows);
    } finally {
      delete(dir);
    }
  }

  /**
   * Plain folders, each once on a path (one of them, {@code x=}, is a label, which a path may not
   * give twice), with the model folder among them at a random depth, maybe an extra label.
   */
  private static Path visiblePath(SplittableRandom random, String model, int index) {
    List<String> folders = new ArrayList<>();
    for (int i = random.nextInt(3); i > 0; i--) {
      String plain = PLAIN[random.nextInt(PLAIN.length)];
      if (!folders.contains(plain)) {
        folders.add(plain);
      }
    }
    folders.add(random.nextInt(folders.size() + 1), "model=" + model);
    if (random.nextInt(3) == 0) {
      folders.add(random.nextInt(folders.size() + 1), "run=" + random.nextInt(3));
    }
    folders.add("part-" + index + ".parquet");
    return Path.of(String.join("/", folders));
  }

  /** Hidden folders and files with rows that must not be read, and empty folders. */
  private static void addDecoys(SplittableRandom random, Path dir, Path in) throws IOException {
    for (int i = random.nextInt(3); i > 0; i--) {
      String hidden = HIDDEN[random.nextInt(HIDDEN.length)];
      place(
          dir,
          in.resolve(hidden + "/model=a/part-d" + i + ".parquet"),
          List.of(row(random, "d" + i)));
      place(
          dir, in.resolve("model=b/." + "part-h" + i + ".parquet"), List.of(row(random, "h" + i)));
    }
    Files.createDirectories(in.resolve("empty/model=c"));
    Files.createDirectories(in.resolve("model=z"));
    Files.writeString(in.resolve("_SUCCESS"), "");
  }

  private static Row row(SplittableRandom random, String id) {
    double[] logprobs = new double[1 + random.nextInt(5)];
    for (int i = 0; i < logprobs.length; i++) {
      logprobs[i] = -6 * random.nextDouble();
    }
    String domain = "d" + random.nextInt(2);
    return RowFactory.create(id, "t", domain, logprobs, TEXTS[random.nextInt(TEXTS.length)]);
  }

  private static void place(Path dir, Path file, List<Row> rows) throws IOException {
    Path written = Shards.write(spark, Files.createTempDirectory(dir, "staging"), SCHEMA, rows);
    Files.createDirectories(file.getParent());
    Files.move(written, file);
  }

  private static RunResult score(Path in, Path out) {
    return ScoreJob.run(
        spark,
        new ScoreRequest(
            List.of(in.toString()),
            out.toString(),
            "p",
            JobConfig.load(null, List.of("validation.max-rejected-fraction=1"))));
  }

  private static void assertMatchesDuckDb(
      List<Placed> visible, Path out, RunResult result, int rows) throws SQLException {
    Map<Path, String> modelOf = new HashMap<>();
    visible.forEach(p -> modelOf.put(p.file(), p.model()));
    Map<String, String> expected = new TreeMap<>();
    TreeSet<String> missingLabel = new TreeSet<>();
    Map<String, Double> expectedNll = new HashMap<>();
    for (Map.Entry<String, Object[]> e : duckDb(visible).entrySet()) {
      Object[] v = e.getValue();
      String model = modelOf.get(Path.of((String) v[0]));
      if (model == null) {
        missingLabel.add(e.getKey());
      } else {
        expected.put(e.getKey(), model + "|" + v[0] + "|" + v[1] + "|" + v[2] + "|" + v[3]);
        expectedNll.put(e.getKey(), (Double) v[4]);
      }
    }
    Map<String, Double> nll = new HashMap<>();
    Map<String, String> actual = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .schema(Tables.SEQUENCES.schema())
            .parquet(out.resolve("sequences").toString())
            .collectAsList()) {
      String file = Path.of(URI.create(r.getAs("source_file"))).toString();
      actual.put(
          r.getAs("sequence_id"),
          r.getAs("model")
              + "|"
              + file
              + "|"
              + r.getAs("domain")
              + "|"
              + r.getAs("tokens")
              + "|"
              + r.getAs("bytes"));
      nll.put(r.getAs("sequence_id"), r.getAs("nll_sum"));
    }
    assertThat(actual).isEqualTo(expected);
    nll.forEach((id, v) -> assertThat(v).as(id).isCloseTo(expectedNll.get(id), within(1e-9)));
    assertThat(rejected(out)).isEqualTo(missingLabel);
    RunRecord run = result.run();
    assertThat(run.accountingOk()).isTrue();
    assertThat(run.rowsRead()).isEqualTo(rows);
    assertThat(run.inputFiles().stream().map(f -> localPath(f.path())))
        .containsExactlyInAnyOrderElementsOf(
            visible.stream().map(p -> p.file().toString()).toList());
  }

  /** A path as runs/ spells it (Hadoop's qualified form, not a URI: {@code file:/a b}). */
  private static String localPath(String qualified) {
    return new org.apache.hadoop.fs.Path(qualified).toUri().getPath();
  }

  /**
   * Per row of the visible files, from DuckDB (hive partitioning off: the labels come from the
   * test's plan): file, domain, tokens, UTF-8 bytes, nll_sum.
   */
  private static Map<String, Object[]> duckDb(List<Placed> visible) throws SQLException {
    String files =
        visible.stream()
            .map(p -> "'" + p.file().toString().replace("'", "''") + "'")
            .collect(Collectors.joining(", ", "[", "]"));
    Map<String, Object[]> out = new TreeMap<>();
    try (Connection duck = new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
        Statement s = duck.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT sequence_id, filename, domain, len(token_logprobs) AS tokens,"
                    + " octet_length(encode(text)) AS bytes, -list_sum(token_logprobs) AS nll"
                    + " FROM read_parquet("
                    + files
                    + ", filename = true, hive_partitioning = false)")) {
      while (r.next()) {
        out.put(
            r.getString(1),
            new Object[] {
              r.getString(2), r.getString(3), r.getLong(4), r.getLong(5), r.getDouble(6)
            });
      }
    }
    return out;
  }

  /** The sequence ids of rejected/, each checked to be MISSING_LABEL. */
  private static TreeSet<String> rejected(Path out) {
    TreeSet<String> ids = new TreeSet<>();
    if (!Files.exists(out.resolve("rejected"))) {
      return ids;
    }
    for (Row r :
        spark
            .read()
            .schema(Tables.REJECTED.schema())
            .parquet(out.resolve("rejected").toString())
            .collectAsList()) {
      assertThat(r.<String>getAs("reason")).isEqualTo("MISSING_LABEL");
      ids.add(r.getAs("sequence_id"));
    }
    return ids;
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
