package dev.softmetrics.job.analysis;

import static org.apache.spark.sql.functions.col;

import dev.softmetrics.job.aggregate.CorpusInterval;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.config.BootstrapConfig;
import dev.softmetrics.job.tables.Columns;
import dev.softmetrics.job.tables.Projection;
import dev.softmetrics.udfs.bootstrap.PoissonWeights;
import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Tuple2;

/**
 * One pass over rows in the {@code sequences/} schema that gives both analyses of docs/ANALYSIS.md:
 * the bootstrap intervals of every (model, tokenizer, domain) group and its {@code __all__}
 * roll-up, and the paired comparisons of every two (model, tokenizer) that scored the same
 * sequences (same domain and {@code sequence_id}). Everything runs in Spark tasks; the driver
 * receives only the intervals and the comparisons.
 *
 * <p>How. The rows of each sequence meet in one task (a shuffle of their few numeric columns).
 * There the sequence's weights are drawn once ({@link PoissonWeights}: a function of the seed, the
 * replicate and the sequence alone) and each model's row is added to the replicate sums of the
 * sequence's <em>signature</em>, the set of models that scored it: per (domain, signature, model),
 * one {@link ReplicateSums}. A model's group sums are the sum over the signatures it belongs to; a
 * pair's are, side by side, the sums over the signatures holding both, with the same weights on
 * both sides, which is what makes the bootstrap paired. Each task turns its signature sums into
 * group and pair sums, the sums are merged by key in a second shuffle, and each interval or
 * comparison is computed in the task that holds its key.
 *
 * <p>A small {@code sequences/} ({@link #ONE_TASK_BYTES}) is read, sorted and summed in one task,
 * without either shuffle.
 *
 * <p>Cost: O(rows x replicates) additions and O(sequences x replicates) weights, whatever the
 * number of models; then O(signatures x pairs x replicates) per task, where a corpus that every
 * model scored whole has one signature per domain. Sums are exact, so the results do not depend on
 * partitioning, task order or core count.
 */
public final class SequenceBootstrap {
  private SequenceBootstrap() {}

  /** The intervals of the groups that have one, and the comparisons in output order. */
  public record Result(Map<GroupKey, CorpusInterval> intervals, List<Comparison> comparisons) {

    /** The corpus rows with their intervals, where there is one. */
    public List<CorpusRow> attachTo(List<CorpusRow> rows) {
      List<CorpusRow> out = new ArrayList<>(rows.size());
      for (CorpusRow row : rows) {
        out.add(
            row.withInterval(
                intervals.get(
                    new GroupKey(row.model(), row.tokenizer(), row.domain(), row.extraLabels()))));
      }
      return out;
    }
  }

  /**
   * Below this size of {@code sequences/} (Parquet bytes, as Spark's plan estimates them from the
   * files), the pass runs as one task with no shuffle: a small table (a logits run, the demo, a few
   * tens of thousands of rows) otherwise spends most of the pass on two shuffles' fixed cost. The
   * sums are exact, so both ways give the same bits.
   */
  static final long ONE_TASK_BYTES = 1L << 20;

  /** What the pass reads of each row: the sequence, who scored it, and its sums. */
  private static final Projection READ =
      Projection.of(
          Columns.DOMAIN,
          Columns.SEQUENCE_ID,
          Columns.MODEL,
          Columns.TOKENIZER,
          Columns.NLL_SUM,
          Columns.TOKENS,
          Columns.BYTES);

  private static final int DOMAIN = READ.ordinal(Columns.DOMAIN);
  private static final int SEQUENCE_ID = READ.ordinal(Columns.SEQUENCE_ID);
  private static final int MODEL = READ.ordinal(Columns.MODEL);
  private static final int TOKENIZER = READ.ordinal(Columns.TOKENIZER);
  private static final int NLL_SUM = READ.ordinal(Columns.NLL_SUM);
  private static final int TOKENS = READ.ordinal(Columns.TOKENS);
  private static final int BYTES = READ.ordinal(Columns.BYTES);

  /**
   * Runs the pass. With the bootstrap off there are no intervals, and the comparisons keep their
   * point differences with null intervals.
   *
   * @param sequences rows in the {@code sequences/} schema (at least its label, {@code nll_sum},
   *     {@code tokens} and {@code bytes} columns)
   * @param bootstrap replicates, seed and confidence
   */
  public static Result compute(Dataset<Row> sequences, BootstrapConfig bootstrap) {
    return compute(sequences, List.of(), bootstrap, ONE_TASK_BYTES);
  }

  /**
   * {@link #compute(Dataset, BootstrapConfig)} over rows with the extra label columns {@code
   * extraLabels}: a sequence is then a (domain, sequence_id, extra labels), so pairs are compared
   * only within equal extra labels.
   */
  public static Result compute(
      Dataset<Row> sequences, List<String> extraLabels, BootstrapConfig bootstrap) {
    return compute(sequences, extraLabels, bootstrap, ONE_TASK_BYTES);
  }

  /**
   * {@link #compute(Dataset, BootstrapConfig)}, in one task when the input is below {@code
   * oneTaskBytes}.
   */
  static Result compute(Dataset<Row> sequences, BootstrapConfig bootstrap, long oneTaskBytes) {
    return compute(sequences, List.of(), bootstrap, oneTaskBytes);
  }

  private static Result compute(
      Dataset<Row> sequences,
      List<String> extraLabels,
      BootstrapConfig bootstrap,
      long oneTaskBytes) {
    int partitions =
        Integer.parseInt(sequences.sparkSession().conf().get("spark.sql.shuffle.partitions", "8"));
    Dataset<Row> columns = READ.select(sequences, extraLabels);
    boolean oneTask =
        sequences
                .queryExecution()
                .optimizedPlan()
                .stats()
                .sizeInBytes()
                .compareTo(scala.math.BigInt.apply(oneTaskBytes))
            < 0;
    // Rows of one sequence become neighbours in one task: flat rows shuffled and sorted, cheaper
    // than collecting them into lists (Spark's object aggregation falls back to sorting anyway).
    Dataset<Row> bySequence =
        (oneTask
                ? columns.coalesce(1)
                : columns.repartition(
                    partitions, col(Columns.DOMAIN.name()), col(Columns.SEQUENCE_ID.name())))
            .sortWithinPartitions(sequenceOrder(extraLabels));
    JavaPairRDD<AnalysisKey, PairSums> sums =
        bySequence
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitionsToPair(new PartitionSums(bootstrap.seed(), bootstrap.replicates()));
    // One task saw every sequence, so each of its keys is complete; otherwise merge by key.
    List<Tuple2<AnalysisKey, Serializable>> results =
        (oneTask ? sums : sums.reduceByKey(PairSums::merge, partitions))
            .map(kv -> new Tuple2<>(kv._1(), result(kv._1(), kv._2(), bootstrap)))
            .collect();
    Map<GroupKey, CorpusInterval> intervals = new HashMap<>();
    List<Tuple2<PairKey, Comparison>> pairs = new ArrayList<>();
    for (Tuple2<AnalysisKey, Serializable> r : results) {
      if (r._1() instanceof GroupKey group && r._2() instanceof CorpusInterval ci) {
        intervals.put(group, ci);
      } else if (r._1() instanceof PairKey pair && r._2() instanceof Comparison c) {
        pairs.add(new Tuple2<>(pair, c));
      }
    }
    pairs.sort(Comparator.comparing(Tuple2::_1, PairKey.ORDER));
    return new Result(intervals, pairs.stream().map(Tuple2::_2).toList());
  }

  /** The columns that bring a sequence's rows together: domain, sequence_id, extra labels. */
  private static Column[] sequenceOrder(List<String> extraLabels) {
    List<Column> order = new ArrayList<>();
    order.add(col(Columns.DOMAIN.name()));
    order.add(col(Columns.SEQUENCE_ID.name()));
    extraLabels.forEach(l -> order.add(col("`" + l.replace("`", "``") + "`")));
    return order.toArray(Column[]::new);
  }

  /** A group's interval (null without one) or a pair's comparison. */
  private static Serializable result(AnalysisKey key, PairSums sums, BootstrapConfig bootstrap) {
    if (key instanceof PairKey pair) {
      return Comparison.of(pair, sums, bootstrap.confidence());
    }
    return bootstrap.enabled() ? CorpusInterval.of(sums.a(), bootstrap.confidence()) : null;
  }

  /** One task's group and pair sums, from the signature sums of its sequences. */
  private static final class PartitionSums
      implements PairFlatMapFunction<Iterator<InternalRow>, AnalysisKey, PairSums> {
    private static final long serialVersionUID = 1L;
    private final long seed;
    private final int replicates;

    PartitionSums(long seed, int replicates) {
      this.seed = seed;
      this.replicates = replicates;
    }

    @Override
    public Iterator<Tuple2<AnalysisKey, PairSums>> call(Iterator<InternalRow> rows) {
      Signatures signatures = new Signatures(replicates);
      List<Signatures.Score> sequence = new ArrayList<>();
      UTF8String domain = null;
      UTF8String id = null;
      List<String> extras = null;
      while (rows.hasNext()) {
        InternalRow row = rows.next();
        // The reader reuses its row objects: copy what is kept.
        UTF8String rowDomain = row.getUTF8String(DOMAIN);
        UTF8String rowId = row.getUTF8String(SEQUENCE_ID);
        List<String> rowExtras = extraLabels(row);
        if (domain != null
            && !(domain.equals(rowDomain) && id.equals(rowId) && extras.equals(rowExtras))) {
          add(domain, id, sequence, signatures);
          sequence.clear();
        }
        if (sequence.isEmpty()) {
          domain = rowDomain.copy();
          id = rowId.copy();
          extras = rowExtras;
        }
        sequence.add(
            new Signatures.Score(
                new Signatures.Scorer(
                    row.getUTF8String(MODEL).toString(),
                    row.getUTF8String(TOKENIZER).toString(),
                    extras),
                row.getDouble(NLL_SUM),
                row.getLong(TOKENS),
                row.getLong(BYTES)));
      }
      if (!sequence.isEmpty()) {
        add(domain, id, sequence, signatures);
      }
      Map<AnalysisKey, PairSums> out = new HashMap<>();
      signatures.expand(true, out);
      List<Tuple2<AnalysisKey, PairSums>> pairs = new ArrayList<>(out.size());
      out.forEach((key, value) -> pairs.add(new Tuple2<>(key, value)));
      return pairs.iterator();
    }

    /** The row's extra label values, selected after {@link #READ}'s columns. */
    private static List<String> extraLabels(InternalRow row) {
      if (row.numFields() == READ.size()) {
        return List.of();
      }
      List<String> extras = new ArrayList<>(row.numFields() - READ.size());
      for (int i = READ.size(); i < row.numFields(); i++) {
        extras.add(row.getUTF8String(i).toString());
      }
      return extras;
    }

    private void add(
        UTF8String domain, UTF8String id, List<Signatures.Score> rows, Signatures signatures) {
      String d = domain.toString();
      signatures.addSequence(d, PoissonWeights.sequenceKey(seed, d, id.toString()), rows);
    }
  }
}
