package dev.softmetrics.corpora;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a {@link SyntheticLogits} corpus as Parquet shards, generated in parallel, in both input
 * layouts: the logits layout, chunked, and the log-prob layout with every optional column derived
 * from the same logits. Shard {@code f} holds sequences {@code [f * n / files, (f + 1) * n /
 * files)}, so the same arguments always write the same files, byte for byte.
 *
 * <p>In the logits layout the chunks of a sequence are in its shard but not together: each run of
 * {@value #SHUFFLE_WINDOW} consecutive sequences has its chunk rows shuffled (by a stream seeded
 * from the shape's seed and the run's first index), so a reader cannot rely on row order.
 *
 * <p>With N = {@link Shape#badSequenceEvery()} {@code > 0}, every sequence {@code i} with {@code i
 * % N == N - 1} has a deliberately bad last chunk in the logits layout, of kind {@code (i / N) %
 * 3}: 0, the model's logit of the chunk's first target is NaN; 1, the chunk's last target id is V;
 * 2, the {@code logits} blob is one element short. Every other column of that row, and every other
 * row, is as N = 0 would write it. The log-prob layout is always clean.
 */
public final class DemoLogitsWriter {
  private DemoLogitsWriter() {}

  /** How many consecutive sequences have their chunk rows shuffled together. */
  static final int SHUFFLE_WINDOW = 8;

  private static final long SHUFFLE_STREAM = 0x53485546464C4521L;

  /** The demo's sequence count: with {@link Shape#DEMO}, 36.7 MB of logits shards. */
  public static final long DEMO_SEQUENCES = 128;

  /** The demo's file count. */
  public static final int DEMO_FILES = 4;

  /**
   * The contract's logits layout, chunked, with binary blobs; {@code ref_logits} may be null (a row
   * without a reference). The demo's and the benches' logits shards all use it.
   */
  public static final StructType LOGITS_SCHEMA =
      new StructType()
          .add("sequence_id", DataTypes.StringType, false)
          .add("model", DataTypes.StringType, false)
          .add("tokenizer", DataTypes.StringType, false)
          .add("domain", DataTypes.StringType, false)
          .add("first_position", DataTypes.IntegerType, false)
          .add("target_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
          .add("vocab_size", DataTypes.IntegerType, false)
          .add("logits_dtype", DataTypes.StringType, false)
          .add("logits", DataTypes.BinaryType, false)
          .add("ref_logits", DataTypes.BinaryType, true)
          .add("text", DataTypes.StringType, true);

  /** The contract's log-prob layout with its optional columns. */
  public static final StructType LOGPROBS_SCHEMA =
      new StructType()
          .add("sequence_id", DataTypes.StringType, false)
          .add("model", DataTypes.StringType, false)
          .add("tokenizer", DataTypes.StringType, false)
          .add("domain", DataTypes.StringType, false)
          .add("text", DataTypes.StringType, true)
          .add("token_logprobs", floats(), false)
          .add("token_entropies", floats(), false)
          .add("ref_logprobs", floats(), false)
          .add("top_logprobs", DataTypes.createArrayType(floats(), false), false)
          .add("vocab_size", DataTypes.IntegerType, false);

  /**
   * The corpus's parameters: what a generator needs to be rebuilt on an executor.
   *
   * @param seed the random seed
   * @param tokensMin fewest positions per sequence
   * @param tokensMax most positions per sequence, at most 4096
   * @param chunkPositions most positions per row of the logits layout
   * @param badSequenceEvery one sequence in this many gets a bad chunk row (0: none)
   */
  public record Shape(
      long seed, int tokensMin, int tokensMax, int chunkPositions, int badSequenceEvery)
      implements Serializable {

    /**
     * The demo's shape: 16 to 96 positions (about 8,100 in all with {@link #DEMO_SEQUENCES}),
     * chunks of 40, no bad rows. Generating them takes about 1.3 s of one core.
     */
    public static final Shape DEMO = new Shape(20_240_611L, 16, 96, 40, 0);

    /**
     * Checks the bounds.
     *
     * @throws IllegalArgumentException if a bound is out of range
     */
    public Shape {
      // The generator checks the token bounds.
      new SyntheticLogits(seed, tokensMin, tokensMax);
      if (chunkPositions < 1) {
        throw new IllegalArgumentException(
            String.format("Invalid chunkPositions: %s (must be >= 1)", chunkPositions));
      }
      if (badSequenceEvery < 0) {
        throw new IllegalArgumentException(
            String.format(
                "Invalid badSequenceEvery: %s (must be >= 0; 0 means no bad rows)",
                badSequenceEvery));
      }
    }

    /** The generator this shape describes. */
    public SyntheticLogits logits() {
      return new SyntheticLogits(seed, tokensMin, tokensMax);
    }
  }

  /**
   * Writes {@code sequences} sequences in the logits layout, one row per chunk, into {@code files}
   * Parquet files under {@code dir}, replacing it.
   */
  public static void writeLogits(
      SparkSession spark, Shape shape, long sequences, int files, String dir) {
    write(spark, LOGITS_SCHEMA, shardRows(shape, sequences, files, true), files, dir);
  }

  /**
   * Writes the same {@code sequences} sequences in the log-prob layout, one row per sequence, into
   * {@code files} Parquet files under {@code dir}, replacing it.
   */
  public static void writeLogprobs(
      SparkSession spark, Shape shape, long sequences, int files, String dir) {
    write(spark, LOGPROBS_SCHEMA, shardRows(shape, sequences, files, false), files, dir);
  }

  private static void write(
      SparkSession spark,
      StructType schema,
      FlatMapFunction<Iterator<Integer>, Row> rows,
      int files,
      String dir) {
    if (files < 1) {
      throw new IllegalArgumentException(String.format("Invalid files: %s (must be >= 1)", files));
    }
    List<Integer> shards = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      shards.add(f);
    }
    spark
        .createDataFrame(
            new JavaSparkContext(spark.sparkContext())
                .parallelize(shards, files)
                .mapPartitions(rows),
            schema)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(dir);
  }

  private static FlatMapFunction<Iterator<Integer>, Row> shardRows(
      Shape shape, long sequences, int files, boolean chunked) {
    return shardIds -> {
      SyntheticLogits generator = shape.logits();
      List<long[]> windows = new ArrayList<>();
      shardIds.forEachRemaining(
          f -> {
            long end = (f + 1) * sequences / files;
            int window = chunked ? SHUFFLE_WINDOW : 1;
            for (long from = f * sequences / files; from < end; from += window) {
              windows.add(new long[] {from, Math.min(end, from + window)});
            }
          });
      return new Iterator<Row>() {
        final Iterator<long[]> pending = windows.iterator();
        final ArrayDeque<Row> ready = new ArrayDeque<>();

        @Override
        public boolean hasNext() {
          while (ready.isEmpty() && pending.hasNext()) {
            long[] window = pending.next();
            ready.addAll(
                chunked
                    ? shuffledChunks(generator, shape, window[0], window[1])
                    : List.of(logprobsRow(generator.sequence(window[0]))));
          }
          return !ready.isEmpty();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return ready.poll();
        }
      };
    };
  }

  private static List<Row> shuffledChunks(
      SyntheticLogits generator, Shape shape, long from, long to) {
    List<Row> rows = new ArrayList<>();
    for (long index = from; index < to; index++) {
      rows.addAll(
          LogitsChunkRows.rows(
              generator.sequence(index),
              shape.chunkPositions(),
              LogitsChunkRows.flaw(index, shape.badSequenceEvery())));
    }
    SplitMixStream random =
        new SplitMixStream(SplitMixStream.streamSeed(shape.seed(), SHUFFLE_STREAM, from));
    for (int i = rows.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      rows.set(j, rows.set(i, rows.get(j)));
    }
    return rows;
  }

  private static Row logprobsRow(SyntheticLogitsSequence s) {
    float[][] top = new float[s.tokens()][];
    for (int t = 0; t < top.length; t++) {
      top[t] = narrow(s.topLogprobs()[t]);
    }
    return RowFactory.create(
        s.sequenceId(),
        s.model(),
        s.tokenizer(),
        s.domain(),
        s.text(),
        narrow(s.tokenLogprobs()),
        narrow(s.tokenEntropies()),
        narrow(s.refLogprobs()),
        top,
        s.vocabSize());
  }

  /** Rounds to float, as an inference engine's float32 output would be. */
  private static float[] narrow(double[] values) {
    float[] floats = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      floats[i] = (float) values[i];
    }
    return floats;
  }

  private static ArrayType floats() {
    return DataTypes.createArrayType(DataTypes.FloatType, false);
  }
}
