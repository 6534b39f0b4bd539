package dev.softmetrics.job.analysis;

import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.config.BootstrapConfig;
import dev.softmetrics.udfs.bootstrap.PoissonWeights;
import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Bootstrap confidence intervals of the {@code corpus/} rows, computed in the cluster from rows in
 * the {@code sequences/} schema (docs/ANALYSIS.md).
 *
 * <p>Each task weights its sequences ({@link PoissonWeights}: a function of the seed, the replicate
 * and the sequence's domain and id alone) and sums them per (model, tokenizer, domain) and
 * replicate ({@link ReplicateSums}), adding its own {@code __all__} sums per (model, tokenizer);
 * the sums are merged by group in a shuffle, and each group's intervals are computed in the task
 * that holds it. Only the intervals reach the driver. The sums are exact, so the intervals do not
 * depend on partitioning, task order or core count.
 */
public final class CorpusIntervals {
  private CorpusIntervals() {}

  /**
   * The intervals of every group of {@code sequences} and of each (model, tokenizer)'s {@code
   * __all__} roll-up; empty when the bootstrap is off.
   *
   * @param sequences rows in the {@code sequences/} schema (at least its label, {@code nll_sum},
   *     {@code tokens} and {@code bytes} columns)
   * @param bootstrap replicates, seed and confidence
   * @return per group, its intervals; a group without an interval ({@link CorpusInterval#of}) is
   *     absent
   */
  public static Map<GroupKey, CorpusInterval> compute(
      Dataset<Row> sequences, BootstrapConfig bootstrap) {
    Map<GroupKey, CorpusInterval> out = new HashMap<>();
    if (!bootstrap.enabled()) {
      return out;
    }
    int replicates = bootstrap.replicates();
    double confidence = bootstrap.confidence();
    SequenceRows.select(sequences)
        .javaRDD()
        .mapPartitionsToPair(new PartitionSums(bootstrap.seed(), replicates))
        .aggregateByKey(
            new ReplicateSums(replicates),
            partitions(sequences),
            CorpusIntervals::merge,
            CorpusIntervals::merge)
        .mapValues(sums -> CorpusInterval.of(sums, confidence))
        .collect()
        .forEach(
            group -> {
              if (group._2() != null) {
                out.put(group._1(), group._2());
              }
            });
    return out;
  }

  /** The corpus rows with their intervals, where {@code intervals} has one. */
  public static List<CorpusRow> attach(
      List<CorpusRow> rows, Map<GroupKey, CorpusInterval> intervals) {
    List<CorpusRow> out = new ArrayList<>(rows.size());
    for (CorpusRow row : rows) {
      out.add(
          row.withInterval(
              intervals.get(new GroupKey(row.model(), row.tokenizer(), row.domain()))));
    }
    return out;
  }

  static int partitions(Dataset<Row> sequences) {
    return Integer.parseInt(
        sequences.sparkSession().conf().get("spark.sql.shuffle.partitions", "8"));
  }

  static ReplicateSums merge(ReplicateSums into, ReplicateSums other) {
    into.merge(other);
    return into;
  }

  /** One task's replicate sums per group, and its {@code __all__} sums per (model, tokenizer). */
  private static final class PartitionSums
      implements PairFlatMapFunction<Iterator<Row>, GroupKey, ReplicateSums> {
    private static final long serialVersionUID = 1L;
    private final long seed;
    private final int replicates;

    PartitionSums(long seed, int replicates) {
      this.seed = seed;
      this.replicates = replicates;
    }

    @Override
    public Iterator<Tuple2<GroupKey, ReplicateSums>> call(Iterator<Row> rows) {
      Map<GroupKey, ReplicateSums> groups = new HashMap<>();
      int[] weights = new int[replicates];
      GroupKey last = null;
      ReplicateSums sums = null;
      while (rows.hasNext()) {
        Row row = rows.next();
        GroupKey group = SequenceRows.group(row);
        if (!group.equals(last)) {
          last = group;
          sums = groups.computeIfAbsent(group, g -> new ReplicateSums(replicates));
        }
        PoissonWeights.weights(
            PoissonWeights.sequenceKey(
                seed, row.getString(SequenceRows.DOMAIN), row.getString(SequenceRows.SEQUENCE_ID)),
            weights);
        sums.add(
            weights,
            row.getDouble(SequenceRows.NLL_SUM),
            row.getLong(SequenceRows.TOKENS),
            row.getLong(SequenceRows.BYTES));
      }
      List<Tuple2<GroupKey, ReplicateSums>> out = new ArrayList<>();
      Map<GroupKey, ReplicateSums> rollups = new HashMap<>();
      groups.forEach(
          (group, groupSums) -> {
            out.add(new Tuple2<>(group, groupSums));
            GroupKey all = new GroupKey(group.model(), group.tokenizer(), CorpusRow.ALL_DOMAINS);
            rollups.computeIfAbsent(all, g -> new ReplicateSums(replicates)).merge(groupSums);
          });
      rollups.forEach((group, groupSums) -> out.add(new Tuple2<>(group, groupSums)));
      return out.iterator();
    }
  }
}
