package dev.softmetrics.job.analysis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;

import dev.softmetrics.job.config.BootstrapConfig;
import dev.softmetrics.udfs.bootstrap.PoissonWeights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Paired comparisons of every two (model, tokenizer) pairs that scored the same sequences (same
 * domain and {@code sequence_id}), per domain and over all domains, computed in the cluster from
 * rows in the {@code sequences/} schema (docs/ANALYSIS.md).
 *
 * <p>The rows of each sequence meet in one task (a shuffle of its few numeric columns); there the
 * sequence's bootstrap weights are drawn once and added, for every pair that scored it, to both
 * sides' {@link dev.softmetrics.udfs.bootstrap.ReplicateSums}: the same weights on both sides is
 * what makes the bootstrap paired. Sums are merged per pair and domain in a second shuffle, and
 * each comparison is computed in the task that holds it. Cost: O(sequences x pairs per sequence x
 * replicates).
 */
public final class PairedComparisons {
  private PairedComparisons() {}

  /**
   * The comparisons, sorted by pair and then domain ({@code __all__} last). With the bootstrap off
   * the point differences are still computed, and the intervals and {@code better} are null.
   *
   * @param sequences rows in the {@code sequences/} schema (at least its label, {@code nll_sum},
   *     {@code tokens} and {@code bytes} columns)
   * @param bootstrap replicates, seed and confidence
   */
  public static List<Comparison> compute(Dataset<Row> sequences, BootstrapConfig bootstrap) {
    int replicates = bootstrap.replicates();
    double confidence = bootstrap.confidence();
    Dataset<Row> bySequence =
        SequenceRows.select(sequences)
            .groupBy(col("domain"), col("sequence_id"))
            .agg(
                collect_list(
                        struct(
                            col("model"),
                            col("tokenizer"),
                            col("nll_sum"),
                            col("tokens"),
                            col("bytes")))
                    .as("scores"))
            .where(size(col("scores")).geq(2));
    List<Tuple2<PairKey, Comparison>> rows =
        bySequence
            .javaRDD()
            .mapPartitionsToPair(new PartitionPairs(bootstrap.seed(), replicates))
            .aggregateByKey(
                new PairSums(replicates),
                CorpusIntervals.partitions(sequences),
                PairSums::merge,
                PairSums::merge)
            .map(pair -> new Tuple2<>(pair._1(), Comparison.of(pair._1(), pair._2(), confidence)))
            .collect();
    List<Tuple2<PairKey, Comparison>> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(Tuple2::_1, PairKey.ORDER));
    return sorted.stream().map(Tuple2::_2).toList();
  }

  /** One scorer's row of a sequence: the fields of the {@code scores} struct. */
  private record Score(String model, String tokenizer, double nll, long tokens, long bytes) {
    static Score of(Row s) {
      return new Score(s.getString(0), s.getString(1), s.getDouble(2), s.getLong(3), s.getLong(4));
    }

    boolean sameScorer(Score other) {
      return model.equals(other.model) && tokenizer.equals(other.tokenizer);
    }
  }

  private static final Comparator<Score> BY_SCORER =
      Comparator.comparing(Score::model).thenComparing(Score::tokenizer);

  /** One task's pair sums, per domain and (its share of) all domains. */
  private static final class PartitionPairs
      implements PairFlatMapFunction<Iterator<Row>, PairKey, PairSums> {
    private static final long serialVersionUID = 1L;
    private final long seed;
    private final int replicates;

    PartitionPairs(long seed, int replicates) {
      this.seed = seed;
      this.replicates = replicates;
    }

    @Override
    public Iterator<Tuple2<PairKey, PairSums>> call(Iterator<Row> sequences) {
      Map<PairKey, PairSums> pairs = new HashMap<>();
      int[] weights = new int[replicates];
      while (sequences.hasNext()) {
        Row sequence = sequences.next();
        String domain = sequence.getString(0);
        List<Score> scores = new ArrayList<>();
        for (Row s : sequence.<Row>getList(2)) {
          scores.add(Score.of(s));
        }
        scores.sort(BY_SCORER);
        // Runs of rows of one scorer: a duplicated row is resampled with its sequence.
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < scores.size(); i++) {
          if (i == 0 || !scores.get(i).sameScorer(scores.get(i - 1))) {
            starts.add(i);
          }
        }
        if (starts.size() < 2) {
          continue;
        }
        starts.add(scores.size());
        PoissonWeights.weights(
            PoissonWeights.sequenceKey(seed, domain, sequence.getString(1)), weights);
        for (int x = 0; x + 1 < starts.size(); x++) {
          for (int y = x + 1; y + 1 < starts.size(); y++) {
            Score a = scores.get(starts.get(x));
            Score b = scores.get(starts.get(y));
            PairKey key = new PairKey(a.model, a.tokenizer, b.model, b.tokenizer, domain);
            PairSums sums = pairs.computeIfAbsent(key, k -> new PairSums(replicates));
            sums.countSequence();
            for (int i = starts.get(x); i < starts.get(x + 1); i++) {
              Score s = scores.get(i);
              sums.a().add(weights, s.nll, s.tokens, s.bytes);
            }
            for (int i = starts.get(y); i < starts.get(y + 1); i++) {
              Score s = scores.get(i);
              sums.b().add(weights, s.nll, s.tokens, s.bytes);
            }
          }
        }
      }
      List<Tuple2<PairKey, PairSums>> out = new ArrayList<>();
      Map<PairKey, PairSums> rollups = new HashMap<>();
      pairs.forEach(
          (key, sums) -> {
            out.add(new Tuple2<>(key, sums));
            rollups.computeIfAbsent(key.rollup(), k -> new PairSums(replicates)).merge(sums);
          });
      rollups.forEach((key, sums) -> out.add(new Tuple2<>(key, sums)));
      return out.iterator();
    }
  }
}
