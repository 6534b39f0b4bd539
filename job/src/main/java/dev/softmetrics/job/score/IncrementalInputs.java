package dev.softmetrics.job.score;

import dev.softmetrics.job.io.CheckedInput;
import dev.softmetrics.job.io.InputFiles;
import dev.softmetrics.job.output.RunRecord;
import dev.softmetrics.job.tables.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Incremental mode: the input files that an earlier succeeded run into the same output folder
 * scored as they are now (same qualified path, size and modification time, as {@code runs/} records
 * them) are left out; the others are scored, and {@code corpus/} is recomputed over every stored
 * sequence.
 */
final class IncrementalInputs {
  private IncrementalInputs() {}

  /** An input file's version: what {@code runs/} records of it. */
  private record Version(String path, long bytes, long modifiedMillis) {
    static Version of(InputFiles.InputFile f) {
      return new Version(
          f.path(), f.bytes(), f.modifiedAt() == null ? -1 : f.modifiedAt().toEpochMilli());
    }
  }

  /** {@code input} without the files that succeeded runs into {@code output} scored as they are. */
  static CheckedInput leaveOutUnchanged(SparkSession spark, String output, CheckedInput input) {
    Set<Version> scored = scoredBefore(spark, output);
    List<InputFiles.InputFile> changed = new ArrayList<>();
    for (InputFiles.InputFile f : input.files()) {
      if (!scored.contains(Version.of(f))) {
        changed.add(f);
      }
    }
    return input.keepingOnly(changed);
  }

  /** The file versions that succeeded runs scored. */
  private static Set<Version> scoredBefore(SparkSession spark, String output) {
    Set<Version> scored = new HashSet<>();
    String runs = Tables.RUNS.path(output);
    try {
      Path dir = new Path(runs);
      if (!dir.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(dir)) {
        return scored;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + runs, e);
    }
    List<Row> files =
        spark
            .read()
            .parquet(runs)
            .where(
                functions
                    .col("status")
                    .isin(RunRecord.SUCCEEDED, RunRecord.SUCCEEDED + RunRecord.COMMITTED_LATER))
            .select(functions.explode(functions.col("input_files")).as("f"))
            .select("f.path", "f.bytes", "f.modified_at")
            .collectAsList();
    for (Row f : files) {
      Timestamp modified = f.getTimestamp(2);
      scored.add(
          new Version(f.getString(0), f.getLong(1), modified == null ? -1 : modified.getTime()));
    }
    return scored;
  }
}
