package dev.softmetrics.job.score;

import static org.apache.spark.sql.functions.col;

import dev.softmetrics.job.analysis.StoredSequences;
import dev.softmetrics.job.output.FileKeys;
import dev.softmetrics.job.score.batch.DuplicateCopies;
import dev.softmetrics.job.score.batch.SequenceKeyHash;
import dev.softmetrics.job.tables.Columns;
import dev.softmetrics.job.tables.Projection;
import dev.softmetrics.udfs.sequence.RepeatedKeys;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import scala.Tuple2;

/**
 * The sequences of a run that {@code sequences/} already holds from other input files, scored by
 * earlier runs: without this, a sequence given again in a new file (a re-exported shard, an
 * incremental run over a folder that gained a copy) would count twice in {@code corpus/}. The
 * stored copy is kept and the run's copies go to {@code rejected/} as {@code DUPLICATE_SEQUENCE};
 * to score the new copy instead, delete the stored file's {@code file_key=} partition, or rerun
 * both files together (then the first by file and row is kept, as within a run).
 *
 * <p>How: the stored rows of the partitions the run does not replace are read (their labels and
 * {@code source_file} only), hashed as the scoring pass hashed its keys ({@link SequenceKeyHash}),
 * and only those whose hash the run also scored reach the driver, where their labels are compared
 * exactly ({@link DuplicateSearch}). Nothing is read when {@code sequences/} holds no other files.
 */
final class StoredCopies {
  /** No stored copies: a first run, or a rerun of every stored file. */
  static final StoredCopies NONE = new StoredCopies(Map.of());

  /** What is read of each stored row: its key and its file. */
  private static final Projection READ =
      Projection.of(Columns.SEQUENCE_ID, Columns.MODEL, Columns.TOKENIZER, Columns.SOURCE_FILE);

  private static final int SEQUENCE_ID = READ.ordinal(Columns.SEQUENCE_ID);
  private static final int MODEL = READ.ordinal(Columns.MODEL);
  private static final int TOKENIZER = READ.ordinal(Columns.TOKENIZER);
  private static final int SOURCE_FILE = READ.ordinal(Columns.SOURCE_FILE);

  private final Map<List<String>, DuplicateCopies.Copy> byIdentity;

  private StoredCopies(Map<List<String>, DuplicateCopies.Copy> byIdentity) {
    this.byIdentity = byIdentity;
  }

  /**
   * The stored copies, in the partitions {@code otherFileKeys} of {@code output}'s {@code
   * sequences/}, of the sequences whose key hash is among {@code sortedRunKeys}.
   */
  static StoredCopies find(
      SparkSession spark,
      String output,
      List<String> extraLabels,
      Set<String> otherFileKeys,
      long[] sortedRunKeys) {
    if (otherFileKeys.isEmpty() || sortedRunKeys.length == 0) {
      return NONE;
    }
    spark.sparkContext().setJobDescription("look up sequences stored by earlier runs");
    Broadcast<long[]> runKeys =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(sortedRunKeys);
    List<Tuple2<List<String>, String>> found =
        READ.select(
                StoredSequences.all(spark, output, extraLabels)
                    .where(col(FileKeys.COLUMN).isin(otherFileKeys.toArray())),
                extraLabels)
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .filter(
                (InternalRow row) ->
                    RepeatedKeys.contains(
                        runKeys.value(),
                        SequenceKeyHash.of(
                            row.getUTF8String(SEQUENCE_ID),
                            row.getUTF8String(MODEL),
                            row.getUTF8String(TOKENIZER))))
            .map(row -> new Tuple2<>(identity(row), row.getUTF8String(SOURCE_FILE).toString()))
            .collect();
    runKeys.destroy();
    Map<List<String>, DuplicateCopies.Copy> byIdentity = new HashMap<>();
    for (Tuple2<List<String>, String> f : found) {
      // Stored twice already (by runs before this check): the first file is named.
      byIdentity.merge(
          f._1(),
          new DuplicateCopies.Copy(f._2(), DuplicateCopies.Copy.STORED),
          (a, b) -> DuplicateCopies.Copy.ORDER.compare(a, b) <= 0 ? a : b);
    }
    return new StoredCopies(byIdentity);
  }

  /** (sequence_id, model, tokenizer, extra labels...) of a stored row read with {@link #READ}. */
  private static List<String> identity(InternalRow row) {
    List<String> identity = new java.util.ArrayList<>();
    identity.add(row.getUTF8String(SEQUENCE_ID).toString());
    identity.add(row.getUTF8String(MODEL).toString());
    identity.add(row.getUTF8String(TOKENIZER).toString());
    for (int i = READ.size(); i < row.numFields(); i++) {
      identity.add(row.getUTF8String(i).toString());
    }
    return identity;
  }

  /**
   * The stored copy of the sequence with labels (sequence_id, model, tokenizer, extra labels...),
   * or null.
   */
  DuplicateCopies.Copy of(List<String> identity) {
    return byIdentity.get(identity);
  }

  /** The key hashes of the stored copies found, ascending, each once. */
  long[] hashes() {
    return byIdentity.keySet().stream()
        .mapToLong(k -> SequenceKeyHash.of(k.get(0), k.get(1), k.get(2)))
        .sorted()
        .distinct()
        .toArray();
  }

  /** {@code a} and {@code b}, sorted ascending, merged, each once. */
  static long[] union(long[] a, long[] b) {
    long[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return Arrays.stream(all).sorted().distinct().toArray();
  }
}
