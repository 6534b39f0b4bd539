package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.cli.Failures;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.output.RunRecord;
import dev.softmetrics.job.tables.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A property over random shards that mix valid rows with rows broken in one known way each, in both
 * layouts. For every try: the run ends without a crash, every row is accounted for (and each bad
 * row carries the reason it was broken for), and the tables of the valid rows equal those of a
 * clean run on those rows alone, written to their own files and read in batches of another size.
 *
 * <p>Each try is generated from its own seed, shown in its name; the seeds start from a new base
 * each run, or from {@code -Dsoftmetrics.property.seed=N}, which repeats a run exactly.
 */
class MixedShardsPropertyTest extends LocalSparkTest {
  private static final long BASE_SEED =
      Long.getLong("softmetrics.property.seed", new SplittableRandom().nextLong());

  private static Stream<DynamicTest> tries(int count, java.util.function.LongConsumer property) {
    return LongStream.range(0, count)
        .mapToObj(
            i ->
                DynamicTest.dynamicTest(
                    "try " + i + ", seed " + (BASE_SEED + i) + " (base " + BASE_SEED + ")",
                    () -> property.accept(BASE_SEED + i)));
  }

  // ---------------------------------------------------------------- the log-prob layout

  /** How a generated log-prob row is made: valid, or broken for exactly one reason. */
  enum RowKind {
    VALID(null),
    VALID_COUNTS_ONLY(null),
    NULL_LABEL("MISSING_LABEL"),
    EMPTY_LABEL("MISSING_LABEL"),
    NULL_LOGPROBS("MISSING_LOGPROBS"),
    EMPTY_LOGPROBS("EMPTY_LOGPROBS"),
    NULL_ELEMENT("NULL_LOGPROB"),
    NAN("NON_FINITE_LOGPROB"),
    INFINITE("NON_FINITE_LOGPROB"),
    POSITIVE("POSITIVE_LOGPROB"),
    NO_TEXT_NO_COUNTS("MISSING_TEXT_AND_COUNTS"),
    COUNT_MISMATCH("TEXT_COUNT_MISMATCH"),
    DUPLICATE("DUPLICATE_SEQUENCE"),
    RESERVED_LABEL("RESERVED_LABEL"),
    INVALID_UTF8("INVALID_UTF8"),
    IMPOSSIBLE_COUNTS("INVALID_GIVEN_COUNT");

    final String reason;

    RowKind(String reason) {
      this.reason = reason;
    }
  }

  record RowPlan(RowKind kind, long seed) {}

  /** 1 to 3 files of 0 to 10 rows; about half the rows valid. */
  private static List<List<RowPlan>> logprobShards(SplittableRandom random) {
    List<List<RowPlan>> files = new ArrayList<>();
    for (int f = 1 + random.nextInt(3); f > 0; f--) {
      List<RowPlan> rows = new ArrayList<>();
      for (int r = random.nextInt(11); r > 0; r--) {
        int pick = random.nextInt(17);
        RowKind kind =
            pick < 8
                ? RowKind.VALID
                : pick < 11
                    ? RowKind.VALID_COUNTS_ONLY
                    : RowKind.values()[random.nextInt(RowKind.values().length)];
        rows.add(new RowPlan(kind, random.nextLong()));
      }
      files.add(rows);
    }
    return files;
  }

  private static final StructType LOGPROBS =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("model", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("text", DataTypes.StringType)
          .add("num_bytes", DataTypes.LongType)
          .add("num_chars", DataTypes.LongType)
          .add("num_words", DataTypes.LongType);

  private static final String[] TEXTS = {"", "a b", "héllo wörld", "日本語 テキスト", "😀 x"};

  /**
   * Byte sequences that are not UTF-8 (a surrogate, an overlong NUL, a code point above U+10FFFF, a
   * stray continuation byte, a cut emoji), spliced into a valid text.
   */
  private static final int[][] NOT_UTF8 = {
    {0xED, 0xA0, 0x80}, {0xC0, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0x80}, {0xF0, 0x9F, 0x98}
  };

  /** A valid text with one of {@link #NOT_UTF8} at a random code point boundary. */
  private static UTF8String notUtf8(SplittableRandom random) {
    byte[] valid = TEXTS[random.nextInt(TEXTS.length)].getBytes(StandardCharsets.UTF_8);
    int[] bad = NOT_UTF8[random.nextInt(NOT_UTF8.length)];
    int at = random.nextInt(valid.length + 1);
    while (at < valid.length && (valid[at] & 0xC0) == 0x80) {
      at++;
    }
    byte[] out = new byte[valid.length + bad.length];
    System.arraycopy(valid, 0, out, 0, at);
    for (int i = 0; i < bad.length; i++) {
      out[at + i] = (byte) bad[i];
    }
    System.arraycopy(valid, at, out, at + bad.length, valid.length - at);
    return UTF8String.fromBytes(out);
  }

  /**
   * Given counts that no text has, as (text, num_bytes, num_chars, num_words): a negative count,
   * fewer than 1 word, more chars than bytes, more than 4 bytes a char, a negative count beside a
   * text.
   */
  private static Object[] impossibleCounts(SplittableRandom random) {
    return switch (random.nextInt(6)) {
      case 0 -> new Object[] {null, -1L - random.nextInt(9), null, null};
      case 1 -> new Object[] {null, 5L, -7L, null};
      case 2 -> new Object[] {null, 3L, null, 0L};
      case 3 -> new Object[] {null, 5L, 6L, 1L};
      case 4 -> new Object[] {null, 9L, 2L, null};
      default -> new Object[] {"ab", -2L, null, null};
    };
  }

  /** A label among model, tokenizer, domain set to the roll-up's value. */
  private static String[] reservedLabel(SplittableRandom random, String[] labels) {
    String[] out = labels.clone();
    out[random.nextInt(out.length)] = "__all__";
    return out;
  }

  @TestFactory
  Stream<DynamicTest> logprobRowsAreScoredOrRejectedForTheirReasonAndValidOnesScoreAsAlone() {
    return tries(12, MixedShardsPropertyTest::logprobProperty);
  }

  private static void logprobProperty(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<List<RowPlan>> plan = logprobShards(random);
    boolean smallBatches = random.nextBoolean();
    Path dir = tempDir();
    try {
      List<List<Row>> dirty = new ArrayList<>();
      List<List<Row>> clean = new ArrayList<>();
      Map<String, String> expected = new HashMap<>();
      List<Row> earlierValid = new ArrayList<>();
      for (int f = 0; f < plan.size(); f++) {
        List<Row> rows = new ArrayList<>();
        List<Row> valid = new ArrayList<>();
        for (RowPlan p : plan.get(f)) {
          RowKind kind =
              p.kind() == RowKind.DUPLICATE && earlierValid.isEmpty() ? RowKind.VALID : p.kind();
          Row row = logprobRow(kind, p.seed(), "r" + f + "-" + rows.size(), earlierValid);
          if (kind.reason == null) {
            valid.add(row);
            earlierValid.add(row);
          } else {
            expected.put(f + "#" + rows.size(), kind.reason);
          }
          rows.add(row);
        }
        dirty.add(rows);
        clean.add(valid);
      }
      assertScoredAsAlone(dir, LOGPROBS, dirty, clean, expected, smallBatches);
    } finally {
      delete(dir);
    }
  }

  private static Row logprobRow(RowKind kind, long seed, String id, List<Row> earlierValid) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[1 + random.nextInt(6)];
    for (int i = 0; i < values.length; i++) {
      values[i] = -8 * random.nextDouble();
    }
    String model = "m" + random.nextInt(2);
    String tokenizer = "t";
    String domain = "d" + random.nextInt(2);
    Object text = TEXTS[random.nextInt(TEXTS.length)];
    Object logprobs = values;
    Long bytes = null;
    Long chars = null;
    Long words = null;
    switch (kind) {
      case VALID -> {}
      case VALID_COUNTS_ONLY -> {
        // Possible counts: 0 to 4 bytes a char, 1 word or more; chars and words may be unknown.
        bytes = (long) random.nextInt(100);
        chars = random.nextBoolean() ? null : bytes - random.nextLong(1 + bytes - (bytes + 3) / 4);
        words = random.nextBoolean() ? null : 1L + random.nextInt(20);
        text = null;
      }
      case RESERVED_LABEL -> {
        String[] labels = reservedLabel(random, new String[] {model, tokenizer, domain});
        model = labels[0];
        tokenizer = labels[1];
        domain = labels[2];
      }
      case INVALID_UTF8 -> text = notUtf8(random);
      case IMPOSSIBLE_COUNTS -> {
        Object[] counts = impossibleCounts(random);
        text = counts[0];
        bytes = (Long) counts[1];
        chars = (Long) counts[2];
        words = (Long) counts[3];
      }
      case NULL_LABEL -> model = null;
      case EMPTY_LABEL -> domain = "";
      case NULL_LOGPROBS -> logprobs = null;
      case EMPTY_LOGPROBS -> logprobs = new double[0];
      case NULL_ELEMENT -> {
        List<Double> boxed = new ArrayList<>();
        for (double v : values) {
          boxed.add(v);
        }
        // A null at position 0 is the unconditioned first token, not a bad row: put it later.
        if (boxed.size() == 1) {
          boxed.add(null);
        } else {
          boxed.set(1 + random.nextInt(boxed.size() - 1), null);
        }
        logprobs = boxed;
      }
      case NAN -> values[random.nextInt(values.length)] = Double.NaN;
      case INFINITE -> values[random.nextInt(values.length)] = Double.NEGATIVE_INFINITY;
      case POSITIVE -> values[random.nextInt(values.length)] = 0.5;
      case NO_TEXT_NO_COUNTS -> text = null;
      case COUNT_MISMATCH -> {
        text = "ab";
        bytes = 3L;
      }
      case DUPLICATE -> {
        // An earlier valid row's key, in any domain, with values of its own.
        Row of = earlierValid.get(random.nextInt(earlierValid.size()));
        return RowFactory.create(
            of.getString(0),
            of.getString(1),
            of.getString(2),
            domain,
            values,
            text,
            null,
            null,
            null);
      }
    }
    return RowFactory.create(id, model, tokenizer, domain, logprobs, text, bytes, chars, words);
  }

  // ---------------------------------------------------------------- the logits layout

  /** How a generated sequence of logits chunks is made. */
  enum SequenceKind {
    VALID,
    NAN_LOGIT,
    BAD_TARGET,
    GAP,
    MISSING_LABEL,
    DUPLICATE_CHUNK,
    RESERVED_LABEL,
    INVALID_UTF8,
    IMPOSSIBLE_COUNTS
  }

  record SequencePlan(SequenceKind kind, long seed) {}

  private static final int V = 4;

  private static final StructType LOGITS =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("model", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("first_position", DataTypes.IntegerType)
          .add("target_ids", DataTypes.createArrayType(DataTypes.IntegerType))
          .add("vocab_size", DataTypes.IntegerType)
          .add("logits_dtype", DataTypes.StringType)
          .add("logits", DataTypes.BinaryType)
          .add("text", DataTypes.StringType)
          .add("num_bytes", DataTypes.LongType)
          .add("num_chars", DataTypes.LongType)
          .add("num_words", DataTypes.LongType);

  @TestFactory
  Stream<DynamicTest> logitsChunksAreScoredOrRejectedForTheirReasonAndValidOnesScoreAsAlone() {
    return tries(8, MixedShardsPropertyTest::logitsProperty);
  }

  private static void logitsProperty(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<SequencePlan> plan = new ArrayList<>();
    for (int s = 1 + random.nextInt(6); s > 0; s--) {
      SequenceKind kind =
          random.nextInt(11) < 6
              ? SequenceKind.VALID
              : SequenceKind.values()[random.nextInt(SequenceKind.values().length)];
      plan.add(new SequencePlan(kind, random.nextLong()));
    }
    int files = 1 + random.nextInt(3);
    boolean smallBatches = random.nextBoolean();
    Path dir = tempDir();
    try {
      List<List<Row>> dirty = new ArrayList<>();
      List<List<Row>> clean = new ArrayList<>();
      for (int f = 0; f < files; f++) {
        dirty.add(new ArrayList<>());
        clean.add(new ArrayList<>());
      }
      Map<String, String> expected = new HashMap<>();
      List<Row> copies = new ArrayList<>();
      for (int s = 0; s < plan.size(); s++) {
        placeSequence(plan.get(s), "q" + s, dirty, clean, expected, copies);
      }
      // Copies of chunks go last, so the originals come first by file and row.
      List<Row> last = dirty.get(files - 1);
      for (Row copy : copies) {
        expected.put((files - 1) + "#" + last.size(), "DUPLICATE_SEQUENCE");
        last.add(copy);
      }
      assertScoredAsAlone(dir, LOGITS, dirty, clean, expected, smallBatches);
    } finally {
      delete(dir);
    }
  }

  /** Writes a sequence's chunks into random files, with the reasons its rows must get. */
  private static void placeSequence(
      SequencePlan plan,
      String id,
      List<List<Row>> dirty,
      List<List<Row>> clean,
      Map<String, String> expected,
      List<Row> copies) {
    SplittableRandom random = new SplittableRandom(plan.seed());
    SequenceKind kind = plan.kind();
    int chunks = kind == SequenceKind.MISSING_LABEL ? 1 : 1 + random.nextInt(3);
    int broken = random.nextInt(chunks);
    String[] labels = {"m", "t", "d" + random.nextInt(2)};
    if (kind == SequenceKind.RESERVED_LABEL) {
      labels = reservedLabel(random, labels);
    }
    String text = TEXTS[random.nextInt(TEXTS.length)];
    List<Row> rows = new ArrayList<>();
    int position = 0;
    for (int c = 0; c < chunks; c++) {
      int length = 1 + random.nextInt(2);
      Integer[] targets = new Integer[length];
      ByteBuffer blob = ByteBuffer.allocate(length * V * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int t = 0; t < length; t++) {
        targets[t] = random.nextInt(V);
        for (int v = 0; v < V; v++) {
          blob.putFloat((float) (4 * random.nextDouble() - 2));
        }
      }
      if (c == broken && kind == SequenceKind.NAN_LOGIT) {
        blob.putFloat(4 * random.nextInt(length * V), Float.NaN);
      }
      if (c == broken && kind == SequenceKind.BAD_TARGET) {
        targets[random.nextInt(length)] = V;
      }
      int first = kind == SequenceKind.GAP && chunks == 1 ? 1 : position;
      String labelDomain = kind == SequenceKind.MISSING_LABEL ? null : labels[2];
      Object[] counts = {text, null, null, null};
      if (c == broken && kind == SequenceKind.INVALID_UTF8) {
        counts[0] = notUtf8(random);
      }
      if (c == broken && kind == SequenceKind.IMPOSSIBLE_COUNTS) {
        counts = impossibleCounts(random);
      }
      rows.add(
          RowFactory.create(
              id,
              labels[0],
              labels[1],
              labelDomain,
              first,
              targets,
              V,
              "float32",
              blob.array(),
              counts[0],
              counts[1],
              counts[2],
              counts[3]));
      position += length;
    }
    if (kind == SequenceKind.GAP && chunks > 1) {
      rows.remove(0);
    }
    List<String> reasons = new ArrayList<>();
    for (int c = 0; c < rows.size(); c++) {
      reasons.add(
          switch (kind) {
            case VALID, DUPLICATE_CHUNK -> null;
            case NAN_LOGIT -> c == broken ? "INVALID_LOGIT" : "SEQUENCE_CHUNK_REJECTED";
            case BAD_TARGET -> c == broken ? "INVALID_TARGET_ID" : "SEQUENCE_CHUNK_REJECTED";
            case GAP -> "INVALID_CHUNKS";
            case MISSING_LABEL -> "MISSING_LABEL";
            case RESERVED_LABEL -> "RESERVED_LABEL";
            case INVALID_UTF8 -> c == broken ? "INVALID_UTF8" : "SEQUENCE_CHUNK_REJECTED";
            case IMPOSSIBLE_COUNTS ->
                c == broken ? "INVALID_GIVEN_COUNT" : "SEQUENCE_CHUNK_REJECTED";
          });
    }
    for (int c = 0; c < rows.size(); c++) {
      int f = random.nextInt(dirty.size());
      if (reasons.get(c) == null) {
        clean.get(f).add(rows.get(c));
      } else {
        expected.put(f + "#" + dirty.get(f).size(), reasons.get(c));
      }
      dirty.get(f).add(rows.get(c));
    }
    if (kind == SequenceKind.DUPLICATE_CHUNK) {
      copies.add(rows.get(random.nextInt(rows.size())));
    }
  }

  // ---------------------------------------------------------------- the property

  /**
   * Scores the dirty files, then the clean ones; checks the accounting and each bad row's reason,
   * and that both give the same sequences/ and corpus/.
   */
  private static void assertScoredAsAlone(
      Path dir,
      StructType schema,
      List<List<Row>> dirty,
      List<List<Row>> clean,
      Map<String, String> expected,
      boolean smallBatches) {
    List<String> dirtyInputs = write(dir.resolve("dirty"), schema, dirty);
    List<String> cleanInputs = write(dir.resolve("clean"), schema, clean);
    String batches = smallBatches ? "read.batch-rows=2" : "read.batch-rows=4096";
    String logitsBatches = smallBatches ? "read.logits-batch-rows=2" : "read.logits-batch-rows=8";
    RunResult dirtyRun = score(dirtyInputs, dir.resolve("dirty-out"), batches, logitsBatches);
    RunResult cleanRun = score(cleanInputs, dir.resolve("clean-out"));
    RunRecord run = dirtyRun.run();

    long rows = dirty.stream().mapToLong(List::size).sum();
    assertThat(run.accountingOk()).isTrue();
    assertThat(run.rowsRead()).isEqualTo(rows);
    assertThat(run.rowsScored() + run.rowsRejected()).isEqualTo(rows);
    assertThat(run.inputFiles()).allMatch(RunRecord.InputFile::balanced);
    assertThat(run.rowsScored()).isEqualTo(clean.stream().mapToLong(List::size).sum());
    assertThat(rejectedReasons(dir.resolve("dirty-out"))).isEqualTo(expected);
    assertThat(sequences(dir.resolve("dirty-out"))).isEqualTo(sequences(dir.resolve("clean-out")));
    // Every figure equal to the bit (Double.equals; NaN, from a group of empty texts, included):
    // the corpus sums do not depend on which other rows were read.
    assertThat(dirtyRun.corpus())
        .usingRecursiveComparison()
        .withEqualsForType(Double::equals, Double.class)
        .isEqualTo(cleanRun.corpus());
    assertThat(dirtyRun.corpus()).hasSameSizeAs(cleanRun.corpus());
  }

  /** One file per list, in folders f0, f1, ... whose order is the files' order. */
  private static List<String> write(Path dir, StructType schema, List<List<Row>> files) {
    List<String> inputs = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      Path folder = dir.resolve("f" + f);
      Shards.write(spark, folder, schema, files.get(f));
      inputs.add(folder.toString());
    }
    return inputs;
  }

  private static RunResult score(List<String> inputs, Path output, String... settings) {
    List<String> all = new ArrayList<>(List.of(settings));
    all.add("validation.max-rejected-fraction=1");
    try {
      return ScoreJob.run(
          spark, new ScoreRequest(inputs, output.toString(), "p", JobConfig.load(null, all)));
    } catch (RuntimeException e) {
      throw new AssertionError("The run crashed: " + Failures.line(e), e);
    }
  }

  /** rejected/ as "file index#row" to reason. */
  private static Map<String, String> rejectedReasons(Path output) {
    Map<String, String> out = new HashMap<>();
    for (Row r :
        spark
            .read()
            .schema(Tables.REJECTED.schema())
            .parquet(output.resolve("rejected").toString())
            .collectAsList()) {
      String folder = Path.of(java.net.URI.create(r.getAs("source_file"))).getParent().toString();
      String index = folder.substring(folder.lastIndexOf("/f") + 2);
      assertThat(r.<String>getAs("message")).as("message of %s", r).isNotBlank();
      out.put(index + "#" + r.<Long>getAs("source_row"), r.getAs("reason"));
    }
    return out;
  }

  /** sequences/ without run_id and source_file, sorted, as strings. */
  private static List<String> sequences(Path output) {
    return spark
        .read()
        .schema(Tables.SEQUENCES.schema())
        .parquet(output.resolve("sequences").toString())
        .drop("run_id", "source_file", "file_key")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .sorted()
        .toList();
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("softmetrics-property");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
