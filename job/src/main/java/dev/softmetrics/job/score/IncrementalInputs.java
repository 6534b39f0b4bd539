package dev.softmetrics.job.score;

import dev.softmetrics.job.output.FileKeys;
import dev.softmetrics.job.output.OutputTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Incremental mode: the input files that an earlier succeeded run into the same output folder
 * scored as they are now (same path, size and modification time, as {@code runs/} records them) are
 * left out; the others are scored, and {@code corpus/} is recomputed over every stored sequence.
 *
 * @param changed the files to score, as Spark lists them
 * @param unchanged the files left out, as {@code runs/} spells them
 */
record IncrementalInputs(List<String> changed, List<String> unchanged) {

  /** An input file as storage describes it now, and as {@code runs/} records it. */
  private record Version(String path, long bytes, long modifiedMillis) {}

  /** Splits the listed {@code files} by what the output folder's {@code runs/} says. */
  static IncrementalInputs split(SparkSession spark, String output, List<String> files) {
    Set<Version> scored = scoredBefore(spark, output);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<String> changed = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (String file : files) {
      Version now = version(file, hadoop);
      if (scored.contains(now)) {
        unchanged.add(now.path());
      } else {
        changed.add(file);
      }
    }
    return new IncrementalInputs(changed, unchanged);
  }

  /** The file versions that succeeded runs scored. */
  private static Set<Version> scoredBefore(SparkSession spark, String output) {
    Set<Version> scored = new HashSet<>();
    String runs = OutputTables.path(output, OutputTables.RUNS);
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
            .where(functions.col("status").equalTo("succeeded"))
            .select(functions.explode(functions.col("input_files")).as("f"))
            .select("f.path", "f.bytes", "f.modified_at")
            .collectAsList();
    for (Row f : files) {
      Timestamp modified = f.getTimestamp(2);
      if (modified != null) {
        scored.add(new Version(f.getString(0), f.getLong(1), modified.getTime()));
      }
    }
    return scored;
  }

  /** The file as storage describes it, its path qualified as {@code runs/} records paths. */
  private static Version version(String listed, Configuration hadoop) {
    try {
      Path path = new Path(java.net.URI.create(listed));
      FileSystem fs = path.getFileSystem(hadoop);
      FileStatus status = fs.getFileStatus(path);
      return new Version(
          fs.makeQualified(path).toString(), status.getLen(), status.getModificationTime());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the status of " + listed, e);
    }
  }

  /** {@link #changed} as {@code _metadata.file_path} spells them, to restrict a scan. */
  List<String> changedAsFilePaths() {
    List<String> out = new ArrayList<>(changed.size());
    changed.forEach(f -> out.add(FileKeys.asFilePath(f)));
    return out;
  }
}
