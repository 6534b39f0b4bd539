package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.SparkJobCounter;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.report.RunSummary;
import dev.softmetrics.job.score.RunResult;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole-input problems: each fixture is written here, and each problem must stop the run before any
 * Spark job with the file (and column) named, or, with {@code read.skip-corrupt-files}, be skipped
 * and listed in {@code runs/}.
 */
class InputCheckTest extends LocalSparkTest {

  @TempDir Path tmp;

  private static StructType schema(DataType logprobs) {
    return new StructType()
        .add("sequence_id", DataTypes.StringType)
        .add("model", DataTypes.StringType)
        .add("tokenizer", DataTypes.StringType)
        .add("domain", DataTypes.StringType)
        .add("token_logprobs", logprobs)
        .add("text", DataTypes.StringType);
  }

  private static final StructType GOOD = schema(DataTypes.createArrayType(DataTypes.DoubleType));

  /** A good shard of two rows (nll 1.5 and 2, 2 and 3 bytes) under {@code tmp/in/<name>}. */
  private Path good(String name, String prefix) {
    return Shards.write(
        spark,
        tmp.resolve("in").resolve(name),
        GOOD,
        List.of(
            RowFactory.create(prefix + "1", "m", "t", "d", new double[] {-1, -0.5}, "ab"),
            RowFactory.create(prefix + "2", "m", "t", "d", new double[] {-2}, "abc")));
  }

  /** Runs on the folders given, comma-separated. */
  private RunResult run(String inputs, String output, String... settings) {
    return ScoreJob.run(
        spark,
        new ScoreRequest(
            List.of(inputs.split(",")),
            tmp.resolve(output).toString(),
            "r",
            JobConfig.load(null, List.of(settings))));
  }

  /** Every folder under {@code tmp/in}: Spark reads the files of the folders it is given. */
  private String inputs() {
    try (var dirs = Files.list(tmp.resolve("in"))) {
      return String.join(",", dirs.map(Path::toString).sorted().toList());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Runs and expects bad input that stops the run before any Spark job; returns the message. */
  private String failsBeforeAnySparkJob(String input, String... settings) {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int jobs =
        SparkJobCounter.jobsDuring(
            spark,
            () -> {
              try {
                run(input, "out", settings);
              } catch (RuntimeException e) {
                failure.set(e);
              }
            });
    assertThat(failure.get()).isInstanceOf(IllegalArgumentException.class);
    assertThat(jobs).as("Spark jobs before the failure").isZero();
    assertThat(Files.exists(tmp.resolve("out"))).as("output written").isFalse();
    return failure.get().getMessage();
  }

  // ---------------------------------------------------------------- schema

  @Test
  void requiredColumnMissingFromOneFileFailsNamingFileAndColumn() {
    good("a", "a");
    Path noLogprobs =
        Shards.write(
            spark,
            tmp.resolve("in/b"),
            new StructType()
                .add("sequence_id", DataTypes.StringType)
                .add("model", DataTypes.StringType)
                .add("tokenizer", DataTypes.StringType)
                .add("domain", DataTypes.StringType)
                .add("text", DataTypes.StringType),
            List.of(RowFactory.create("b1", "m", "t", "d", "x")));
    assertThat(failsBeforeAnySparkJob(inputs()))
        .startsWith("Missing column token_logprobs in ")
        .contains(noLogprobs.toString());
  }

  @Test
  void columnOfTheWrongTypeFailsNamingFileAndColumn() {
    good("a", "a");
    Path strings =
        Shards.write(
            spark,
            tmp.resolve("in/b"),
            schema(DataTypes.createArrayType(DataTypes.StringType)),
            List.of(RowFactory.create("b1", "m", "t", "d", new String[] {"-1"}, "x")));
    assertThat(failsBeforeAnySparkJob(inputs()))
        .startsWith("Invalid column token_logprobs: array<string> in ")
        .contains(strings.toString())
        .endsWith("(must be list<float> or list<double>)");
  }

  @Test
  void filesThatDisagreeOnAColumnsTypeFailNamingBoth() {
    // Each file alone is a valid logits shard; together they are not one input.
    StructType blob = logits(DataTypes.BinaryType);
    StructType flat = logits(DataTypes.createArrayType(DataTypes.FloatType));
    byte[] z = new byte[8];
    Path a = Shards.write(spark, tmp.resolve("in/a"), blob, List.of(logitsRow("a", z, "float32")));
    Path b =
        Shards.write(
            spark,
            tmp.resolve("in/b"),
            flat,
            List.of(logitsRow("b", new float[] {0f, 0f}, "float32")));
    assertThat(failsBeforeAnySparkJob(inputs()))
        .startsWith("Invalid column logits: binary in ")
        .contains("file:" + a + " but array<float> in file:" + b)
        .contains("only int and long, or float and double, may differ");
  }

  private static StructType logits(DataType type) {
    return new StructType()
        .add("sequence_id", DataTypes.StringType)
        .add("model", DataTypes.StringType)
        .add("tokenizer", DataTypes.StringType)
        .add("domain", DataTypes.StringType)
        .add("target_ids", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("vocab_size", DataTypes.IntegerType)
        .add("logits_dtype", DataTypes.StringType)
        .add("logits", type)
        .add("text", DataTypes.StringType);
  }

  private static Row logitsRow(String id, Object logits, String dtype) {
    return RowFactory.create(id, "m", "t", "d", new Integer[] {0}, 2, dtype, logits, "a");
  }

  @Test
  void fileWithNeitherTextNorByteCountFailsNamingBoth() {
    good("a", "a");
    Path noText =
        Shards.write(
            spark,
            tmp.resolve("in/b"),
            new StructType()
                .add("sequence_id", DataTypes.StringType)
                .add("model", DataTypes.StringType)
                .add("tokenizer", DataTypes.StringType)
                .add("domain", DataTypes.StringType)
                .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType)),
            List.of(RowFactory.create("b1", "m", "t", "d", new double[] {-1})));
    assertThat(failsBeforeAnySparkJob(inputs()))
        .startsWith("Cannot score file:" + noText + ": neither text nor num_bytes is a column");
  }

  @Test
  void inputWithoutEitherLayoutsColumnsFailsSayingWhatWasLookedFor() {
    Shards.write(
        spark,
        tmp.resolve("in/a"),
        new StructType().add("sequence_id", DataTypes.StringType).add("text", DataTypes.StringType),
        List.of(RowFactory.create("a", "x")));
    assertThat(failsBeforeAnySparkJob(inputs()))
        .startsWith("Cannot detect the input layout of ")
        .contains("no token_logprobs column (logprobs layout) and no logits/target_ids columns")
        .contains("columns are sequence_id, text");
  }

  @Test
  void aFileAddedAfterTheCheckStopsTheScanBeforeItRuns() throws IOException {
    Path a = good("a", "a");
    JobConfig config = JobConfig.defaults();
    CheckedInput checked =
        InputCheck.run(
            spark,
            List.of(inputs()),
            config.columns(),
            config.format(),
            config.inputFormat(),
            false);
    Files.copy(a, a.resolveSibling("part-late.parquet"));
    assertThatThrownBy(
            () ->
                ShardScan.open(
                    spark,
                    checked,
                    config.columns(),
                    config.batchRows(),
                    config.logitsBatchRows(),
                    config.logprobPages(),
                    config.logitsPages()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(
            ": its files changed while the run started (files were added or removed); run again"
                + " once the input is complete");
  }

  @Test
  void intAndLongOrFloatAndDoubleAcrossFilesAreReadAsTheWiderType() {
    StructType narrow =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.FloatType))
            .add("num_bytes", DataTypes.IntegerType);
    StructType wide =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
            .add("num_bytes", DataTypes.LongType);
    Shards.write(
        spark,
        tmp.resolve("in/a"),
        narrow,
        List.of(RowFactory.create("f", "m", "t", "d", new float[] {-0.5f, -0.25f}, 3)));
    Shards.write(
        spark,
        tmp.resolve("in/b"),
        wide,
        List.of(RowFactory.create("g", "m", "t", "d", new double[] {-0.1}, 5_000_000_000L)));
    RunResult result = run(inputs(), "out");
    Map<String, Row> sequences = new TreeMap<>();
    for (Row r : spark.read().parquet(tmp.resolve("out/sequences").toString()).collectAsList()) {
      sequences.put(r.getAs("sequence_id"), r);
    }
    assertThat(sequences.get("f").<Double>getAs("nll_sum")).isEqualTo(0.75);
    assertThat(sequences.get("f").<Long>getAs("bytes")).isEqualTo(3L);
    assertThat(sequences.get("g").<Double>getAs("nll_sum")).isEqualTo(0.1);
    assertThat(sequences.get("g").<Long>getAs("bytes")).isEqualTo(5_000_000_000L);
    assertThat(result.run().accountingOk()).isTrue();
    assertThat(result.run().rowsRejected()).isZero();
  }

  // ---------------------------------------------------------------- files

  /** Breaks a copy of a good file in one of the ways shards break; returns it. */
  private Path broken(String kind) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("in/broken"));
    Path file = dir.resolve("part-" + kind + ".parquet");
    switch (kind) {
      case "empty" -> Files.createFile(file);
      case "truncated" -> {
        Files.copy(good("source", "s"), file);
        Shards.truncate(file);
        deleteFolder(tmp.resolve("in/source"));
      }
      case "garbage" -> Files.writeString(file, "sequence_id,model\na,b\n");
      default -> throw new IllegalArgumentException(kind);
    }
    return file;
  }

  @ParameterizedTest
  @ValueSource(strings = {"empty", "truncated", "garbage"})
  void unreadableFileFailsNamingItAndWhatToDo(String kind) throws IOException {
    good("a", "a");
    Path file = broken(kind);
    String message = failsBeforeAnySparkJob(inputs());
    assertThat(message)
        .startsWith("Cannot read input file file:" + file + ": ")
        .contains(kind.equals("empty") ? "empty (0 bytes)" : "not readable as Parquet")
        .contains("read.skip-corrupt-files = true");
  }

  @Test
  void pathThatDoesNotExistFailsNamingItBeforeAnySparkJob() {
    String missing = tmp.resolve("nowhere").toString();
    assertThat(failsBeforeAnySparkJob(missing)).contains(missing).endsWith("(check --input)");
  }

  @Test
  void aFileGivenTwiceFailsNamingIt() {
    Path a = good("a", "a");
    assertThat(failsBeforeAnySparkJob(a.getParent() + "," + a))
        .startsWith("Invalid --input: ")
        .contains("names the file file:" + a + " more than once");
  }

  @Test
  void folderWithoutFilesFails() throws IOException {
    Files.createDirectories(tmp.resolve("in/empty-folder"));
    assertThat(failsBeforeAnySparkJob(tmp.resolve("in/empty-folder").toString()))
        .endsWith("it holds no input files (check --input)");
  }

  @Test
  void skippedUnreadableFilesAreListedInRunsAndCountedInTheSummary() throws IOException {
    Path a = good("a", "a");
    Path empty = broken("empty");
    Path truncated = broken("truncated");
    Path garbage = broken("garbage");
    RunResult result = run(inputs(), "out", "read.skip-corrupt-files=true");

    assertThat(result.run().status()).isEqualTo("succeeded");
    assertThat(result.run().inputFiles())
        .singleElement()
        .satisfies(f -> assertThat(f.path()).isEqualTo("file:" + a));
    assertThat(result.run().sequencesScored()).isEqualTo(2);
    Row run = spark.read().parquet(tmp.resolve("out/runs").toString()).first();
    Map<String, Row> skipped = new TreeMap<>();
    for (Row f : run.<Row>getList(run.fieldIndex("skipped_files"))) {
      skipped.put(f.getAs("path"), f);
    }
    assertThat(skipped).containsOnlyKeys("file:" + empty, "file:" + truncated, "file:" + garbage);
    assertThat(skipped.get("file:" + empty).<String>getAs("reason")).isEqualTo("empty (0 bytes)");
    assertThat(skipped.get("file:" + truncated).<String>getAs("reason"))
        .startsWith("not readable as Parquet");
    assertThat(skipped.get("file:" + garbage).<Long>getAs("bytes")).isEqualTo(Files.size(garbage));
    assertThat(skipped.get("file:" + garbage).isNullAt(2)).as("rows unknown").isTrue();
    assertThat(RunSummary.json(result.run(), "out")).contains("\"skipped_files\":3");
  }

  // ---------------------------------------------------------------- data pages

  @Test
  void fileWhoseDataIsCorruptFailsTheScanNamingIt() {
    good("a", "a");
    Path bad = good("b", "b");
    Shards.corruptFirstPage(bad);
    assertThatThrownBy(() -> run(inputs(), "out"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Cannot read input file file:" + bad + ": its footer is readable but its data is not")
        .hasMessageContaining("read.skip-corrupt-files = true");
  }

  @Test
  void withSkippingAFileWhoseDataIsCorruptIsSkippedWholeAndTheRestScoredAsAlone() {
    Path a = good("a", "a");
    Path bad = good("b", "b");
    Shards.corruptFirstPage(bad);
    RunResult skipping = run(inputs(), "out", "read.skip-corrupt-files=true");
    RunResult alone = run(a.getParent().toString(), "alone");

    assertThat(skipping.run().skippedFiles())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).isEqualTo("file:" + bad);
              assertThat(f.rows()).as("rows from the footer").isEqualTo(2L);
              assertThat(f.reason()).startsWith("data not readable: ");
            });
    assertThat(skipping.run().accountingOk()).isTrue();
    assertThat(skipping.run().rowsRead()).isEqualTo(2);
    for (String table : List.of("sequences", "corpus", "rejected")) {
      assertThat(rows("out", table)).as(table).isEqualTo(rows("alone", table));
    }
    assertThat(rows("out", "sequences")).hasSize(2);
  }

  private List<String> rows(String output, String table) {
    return Shards.tableRows(spark, tmp.resolve(output).resolve(table).toString());
  }

  private static void deleteFolder(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
