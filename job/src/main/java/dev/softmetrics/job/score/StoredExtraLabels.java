package dev.softmetrics.job.score;

import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.io.CheckedInput;
import dev.softmetrics.job.output.FileKeys;
import dev.softmetrics.job.output.StagedRun;
import dev.softmetrics.job.tables.Columns;
import dev.softmetrics.job.tables.Tables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;

/**
 * Refuses a run into an output folder whose stored {@code sequences/} rows were scored with other
 * extra labels ({@code labels.extra}): their groups would not match this run's, and {@code corpus/}
 * recomputed over both would mix the two keys. The extra label columns of a stored row are those
 * between {@code tokenizer} and {@code domain}.
 */
final class StoredExtraLabels {
  private StoredExtraLabels() {}

  /**
   * Checks the rows stored for files this run does not replace (one partition's footer: every run
   * into the folder passed this check, so they all agree).
   *
   * @throws IllegalArgumentException when they have other extra labels than {@code extraLabels}
   */
  static void check(
      SparkSession spark,
      String output,
      StagedRun staged,
      CheckedInput input,
      List<String> extraLabels) {
    Set<String> others = new TreeSet<>(staged.liveKeys(Tables.SEQUENCES.folder()));
    others.removeAll(ScoreJob.fileKeys(input, new PassTotals()));
    if (others.isEmpty()) {
      return;
    }
    String partition =
        Tables.SEQUENCES.path(output) + "/" + FileKeys.COLUMN + "=" + others.iterator().next();
    List<String> stored = between(spark.read().parquet(partition).schema().fieldNames());
    if (!stored.equals(extraLabels)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid labels.extra %s for --output %s: its sequences/ holds rows scored with"
                  + " labels.extra %s (score with the same labels.extra, or into another --output)",
              extraLabels, output, stored));
    }
  }

  /** The columns between {@code tokenizer} and {@code domain}. */
  private static List<String> between(String[] columns) {
    List<String> names = Arrays.asList(columns);
    int from = names.indexOf(Columns.TOKENIZER.name()) + 1;
    int to = names.indexOf(Columns.DOMAIN.name());
    return from > 0 && to >= from ? new ArrayList<>(names.subList(from, to)) : List.of();
  }
}
