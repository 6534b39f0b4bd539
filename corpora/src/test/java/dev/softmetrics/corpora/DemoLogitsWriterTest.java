package dev.softmetrics.corpora;

import static org.apache.spark.sql.functions.input_file_name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

class DemoLogitsWriterTest extends LocalSparkTest {

  private static final int V = SyntheticLogits.VOCAB_SIZE;
  private static final DemoLogitsWriter.Shape SHAPE = new DemoLogitsWriter.Shape(7, 16, 130, 48, 0);
  private static final int SEQUENCES = 20;
  private static final int FILES = 3;

  @TempDir Path temp;

  @Test
  void logitsShardsHoldEveryPositionOnceInShuffledChunksThatDecodeToTheRoundedLogits() {
    String dir = temp.resolve("logits").toString();
    DemoLogitsWriter.writeLogits(spark, SHAPE, SEQUENCES, FILES, dir);
    Dataset<Row> read = spark.read().parquet(dir);
    assertThat(read.schema().catalogString())
        .isEqualTo(DemoLogitsWriter.LOGITS_SCHEMA.catalogString());
    assertThat(parquetFiles(dir)).hasSize(FILES);

    SyntheticLogits generator = SHAPE.logits();
    long expectedRows = 0;
    for (long index = 0; index < SEQUENCES; index++) {
      expectedRows += (generator.sequence(index).tokens() + 47) / 48;
    }
    List<Row> rows = read.withColumn("file", input_file_name()).collectAsList();
    assertThat(rows).hasSize((int) expectedRows);

    Map<Long, List<Row>> chunksBySequence = new HashMap<>();
    Map<String, List<Long>> orderByFile = new HashMap<>();
    for (Row row : rows) {
      long index = index(row);
      chunksBySequence.computeIfAbsent(index, k -> new ArrayList<>()).add(row);
      orderByFile
          .computeIfAbsent(row.getAs("file"), k -> new ArrayList<>())
          .add(index * 10_000 + row.<Integer>getAs("first_position"));
    }
    assertThat(chunksBySequence).hasSize(SEQUENCES);
    chunksBySequence.forEach((index, chunks) -> checkChunks(generator.sequence(index), chunks));
    // Within a file, rows are neither grouped by sequence nor in position order.
    assertThat(orderByFile.values())
        .anySatisfy(order -> assertThat(order).isNotEqualTo(order.stream().sorted().toList()));
  }

  private static void checkChunks(SyntheticLogitsSequence s, List<Row> chunks) {
    chunks.sort(Comparator.comparing(row -> row.<Integer>getAs("first_position")));
    assertThat(chunks.stream().map(row -> row.<String>getAs("file")).distinct()).hasSize(1);
    List<Integer> targets = new ArrayList<>();
    int position = 0;
    for (Row row : chunks) {
      int first = row.getAs("first_position");
      assertThat(first).as("chunks cover 0..T-1 once, in runs of 48").isEqualTo(position);
      assertThat(row.<String>getAs("domain")).isEqualTo(s.domain());
      assertThat(row.<String>getAs("tokenizer")).isEqualTo("toy-1k");
      assertThat(row.<Integer>getAs("vocab_size")).isEqualTo(V);
      assertThat(row.<String>getAs("logits_dtype")).isEqualTo(s.dtype().contractName());
      assertThat(row.<String>getAs("text")).isEqualTo(first == 0 ? s.text() : null);
      List<Integer> chunkTargets = row.getList(row.fieldIndex("target_ids"));
      int n = chunkTargets.size();
      assertThat(n).isBetween(1, 48);
      targets.addAll(chunkTargets);
      assertThat(rawBits(ReferenceFloats.decode(s.dtype().contractName(), row.getAs("logits"))))
          .isEqualTo(rawBits(Arrays.copyOfRange(s.logits(), first * V, (first + n) * V)));
      assertThat(rawBits(ReferenceFloats.decode(s.dtype().contractName(), row.getAs("ref_logits"))))
          .isEqualTo(rawBits(Arrays.copyOfRange(s.refLogits(), first * V, (first + n) * V)));
      position += n;
    }
    assertThat(position).isEqualTo(s.tokens());
    assertThat(targets).containsExactlyElementsOf(Arrays.stream(s.targetIds()).boxed().toList());
  }

  @Test
  void logprobShardsHoldTheDerivedFormOfTheSameSequences() {
    String dir = temp.resolve("logprobs").toString();
    DemoLogitsWriter.writeLogprobs(spark, SHAPE, SEQUENCES, FILES, dir);
    Dataset<Row> read = spark.read().parquet(dir);
    assertThat(read.schema().catalogString())
        .isEqualTo(DemoLogitsWriter.LOGPROBS_SCHEMA.catalogString());
    assertThat(parquetFiles(dir)).hasSize(FILES);
    List<Row> rows = read.collectAsList();
    assertThat(rows).hasSize(SEQUENCES);
    SyntheticLogits generator = SHAPE.logits();
    assertThat(rows.stream().map(DemoLogitsWriterTest::index).distinct()).hasSize(SEQUENCES);
    for (Row row : rows) {
      SyntheticLogitsSequence s = generator.sequence(index(row));
      assertThat(row.<String>getAs("text")).isEqualTo(s.text());
      assertThat(row.<String>getAs("tokenizer")).isEqualTo("toy-1k");
      assertThat(row.<String>getAs("domain")).isEqualTo(s.domain());
      assertThat(row.<Integer>getAs("vocab_size")).isEqualTo(V);
      assertThat(floats(row, "token_logprobs")).isEqualTo(narrow(s.tokenLogprobs()));
      assertThat(floats(row, "token_entropies")).isEqualTo(narrow(s.tokenEntropies()));
      assertThat(floats(row, "ref_logprobs")).isEqualTo(narrow(s.refLogprobs()));
      List<Seq<Float>> top = row.getList(row.fieldIndex("top_logprobs"));
      assertThat(top).hasSize(s.tokens());
      for (int t = 0; t < s.tokens(); t++) {
        assertThat(CollectionConverters.asJava(top.get(t)))
            .containsExactlyElementsOf(narrow(s.topLogprobs()[t]));
      }
      // The derived form really is the log-softmax of the logits the other layout stores.
      int y = s.targetIds()[0];
      assertThat((double) floats(row, "token_logprobs").get(0))
          .isCloseTo(
              SyntheticLogitsTest.logprobAt(Arrays.copyOfRange(s.logits(), 0, V), y), within(1e-6));
    }
  }

  @Test
  void sameArgumentsWriteTheSameFilesByteForByte() throws IOException {
    for (String layout : List.of("logits", "logprobs")) {
      List<byte[]> contents = new ArrayList<>();
      for (String run : List.of("a", "b")) {
        String dir = temp.resolve(layout + "-" + run).toString();
        if (layout.equals("logits")) {
          DemoLogitsWriter.writeLogits(spark, SHAPE, SEQUENCES, FILES, dir);
        } else {
          DemoLogitsWriter.writeLogprobs(spark, SHAPE, SEQUENCES, FILES, dir);
        }
        List<Path> files = parquetFiles(dir);
        assertThat(files).hasSize(FILES);
        for (Path file : files) {
          contents.add(Files.readAllBytes(file));
        }
      }
      for (int f = 0; f < FILES; f++) {
        assertThat(contents.get(FILES + f)).as("%s part %s", layout, f).isEqualTo(contents.get(f));
      }
    }
  }

  @Test
  void badSequencesHaveOneSpoiledLastChunkByTurns() {
    DemoLogitsWriter.Shape shape = new DemoLogitsWriter.Shape(7, 16, 130, 48, 4);
    String dir = temp.resolve("bad").toString();
    DemoLogitsWriter.writeLogits(spark, shape, 24, 2, dir);
    SyntheticLogits generator = shape.logits();
    Map<Long, SyntheticLogitsSequence> sequences = new HashMap<>();
    Map<String, Integer> flaws = new HashMap<>();
    for (Row row : spark.read().parquet(dir).collectAsList()) {
      long index = index(row);
      SyntheticLogitsSequence s = sequences.computeIfAbsent(index, generator::sequence);
      int first = row.getAs("first_position");
      List<Integer> targets = row.getList(row.fieldIndex("target_ids"));
      int n = targets.size();
      float[] logits = ReferenceFloats.decode(s.dtype().contractName(), row.getAs("logits"));
      float[] expected = Arrays.copyOfRange(s.logits(), first * V, (first + n) * V);
      List<Integer> expectedTargets =
          Arrays.stream(s.targetIds(), first, first + n).boxed().toList();
      boolean last = first + n == s.tokens();
      String flaw =
          !last || index % 4 != 3
              ? "none"
              : List.of("nan", "target", "short").get((int) (index / 4 % 3));
      flaws.merge(flaw, 1, Integer::sum);
      switch (flaw) {
        case "nan" -> {
          assertThat(Float.isNaN(logits[targets.get(0)])).isTrue();
          expected[targets.get(0)] = Float.NaN;
          assertThat(rawBits(logits)).isEqualTo(rawBits(expected));
          assertThat(targets).isEqualTo(expectedTargets);
        }
        case "target" -> {
          assertThat(targets.get(n - 1)).isEqualTo(V);
          assertThat(targets.subList(0, n - 1)).isEqualTo(expectedTargets.subList(0, n - 1));
          assertThat(rawBits(logits)).isEqualTo(rawBits(expected));
        }
        case "short" -> {
          assertThat(logits).hasSize(n * V - 1);
          assertThat(rawBits(logits))
              .isEqualTo(rawBits(Arrays.copyOf(expected, expected.length - 1)));
          assertThat(targets).isEqualTo(expectedTargets);
        }
        default -> {
          assertThat(rawBits(logits)).isEqualTo(rawBits(expected));
          assertThat(targets).isEqualTo(expectedTargets);
        }
      }
    }
    assertThat(flaws).containsEntry("nan", 2).containsEntry("target", 2).containsEntry("short", 2);
  }

  @Test
  void theDemoShapeWritesAtMostFortyMegabytesOfLogits() throws IOException {
    String dir = temp.resolve("demo").toString();
    DemoLogitsWriter.writeLogits(
        spark,
        DemoLogitsWriter.Shape.DEMO,
        DemoLogitsWriter.DEMO_SEQUENCES,
        DemoLogitsWriter.DEMO_FILES,
        dir);
    long bytes = 0;
    for (Path file : parquetFiles(dir)) {
      bytes += Files.size(file);
    }
    assertThat(parquetFiles(dir)).hasSize(DemoLogitsWriter.DEMO_FILES);
    assertThat(bytes).isBetween(20_000_000L, 40_000_000L);
    List<Row> dtypes = spark.read().parquet(dir).select("logits_dtype").distinct().collectAsList();
    assertThat(dtypes).hasSize(3);
  }

  @Test
  void rejectsInvalidShapes() {
    assertThatThrownBy(() -> new DemoLogitsWriter.Shape(1, 8, 64, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid chunkPositions: 0 (must be >= 1)");
    assertThatThrownBy(() -> new DemoLogitsWriter.Shape(1, 8, 64, 48, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid badSequenceEvery: -1 (must be >= 0");
    assertThatThrownBy(() -> new DemoLogitsWriter.Shape(1, 8, 5000, 48, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid tokensMax: 5000");
    assertThatThrownBy(
            () -> DemoLogitsWriter.writeLogits(spark, SHAPE, 4, 0, temp.resolve("none").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid files: 0 (must be >= 1)");
  }

  /** The generator index of a row: document * 2 + model. */
  private static long index(Row row) {
    long document = Long.parseLong(row.<String>getAs("sequence_id").substring("doc-".length()));
    return document * 2 + (row.<String>getAs("model").equals("toy-large") ? 1 : 0);
  }

  /** The Parquet files under {@code dir}, in part order. */
  private static List<Path> parquetFiles(String dir) {
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      return files.filter(f -> f.toString().endsWith(".parquet")).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Float> floats(Row row, String column) {
    return row.getList(row.fieldIndex(column));
  }

  private static List<Float> narrow(double[] values) {
    List<Float> floats = new ArrayList<>();
    for (double value : values) {
      floats.add((float) value);
    }
    return floats;
  }

  private static int[] rawBits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }
}
