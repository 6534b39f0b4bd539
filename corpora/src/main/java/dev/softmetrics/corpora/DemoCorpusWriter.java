package dev.softmetrics.corpora;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a {@link SyntheticCorpus} as Parquet shards of the log-prob layout, generated in parallel:
 * shard {@code f} holds the contiguous index range {@code [f * n / files, (f + 1) * n / files)}, so
 * the same arguments always write the same files.
 */
public final class DemoCorpusWriter {
  private DemoCorpusWriter() {}

  /** The contract's log-prob layout, as the generator writes it. */
  public static final StructType SCHEMA =
      new StructType()
          .add("sequence_id", DataTypes.StringType, false)
          .add("model", DataTypes.StringType, false)
          .add("tokenizer", DataTypes.StringType, false)
          .add("domain", DataTypes.StringType, false)
          .add("text", DataTypes.StringType, true)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  /**
   * The corpus's parameters: what a generator needs to be rebuilt on an executor.
   *
   * @param seed the random seed
   * @param tokensMin fewest tokens per sequence
   * @param tokensMax most tokens per sequence
   * @param badRowEvery one deliberately bad row in this many (0: none)
   */
  public record Shape(long seed, int tokensMin, int tokensMax, int badRowEvery)
      implements Serializable {
    SyntheticCorpus corpus() {
      return new SyntheticCorpus(seed, tokensMin, tokensMax, badRowEvery);
    }
  }

  /**
   * Writes {@code sequences} rows into {@code files} Parquet files under {@code dir}, replacing it.
   */
  public static void write(SparkSession spark, Shape shape, long sequences, int files, String dir) {
    List<Integer> shards = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      shards.add(f);
    }
    JavaRDD<Row> rows =
        new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
            .parallelize(shards, files)
            .mapPartitions(shardRows(shape, sequences, files));
    spark.createDataFrame(rows, SCHEMA).write().mode(SaveMode.Overwrite).parquet(dir);
  }

  private static org.apache.spark.api.java.function.FlatMapFunction<Iterator<Integer>, Row>
      shardRows(Shape shape, long sequences, int files) {
    return shardIds -> {
      SyntheticCorpus corpus = shape.corpus();
      List<long[]> ranges = new ArrayList<>();
      shardIds.forEachRemaining(
          f -> ranges.add(new long[] {f * sequences / files, (f + 1) * sequences / files}));
      return new Iterator<Row>() {
        int range = 0;
        long next = ranges.isEmpty() ? 0 : ranges.get(0)[0];

        @Override
        public boolean hasNext() {
          while (range < ranges.size() && next >= ranges.get(range)[1]) {
            range++;
            next = range < ranges.size() ? ranges.get(range)[0] : 0;
          }
          return range < ranges.size();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          SyntheticSequence s = corpus.sequence(next++);
          return RowFactory.create(
              s.sequenceId(), s.model(), s.tokenizer(), s.domain(), s.text(), s.tokenLogprobs());
        }
      };
    };
  }
}
