package dev.softmetrics.demo.europarl;

import dev.softmetrics.job.output.SmallTables;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a demo input folder from rows built on the driver: Parquet shards of consecutive rows,
 * through {@link SmallTables} (no Spark job), then a marker naming the corpus, written last, so a
 * later demo can tell a complete folder of the same corpus from anything else.
 */
final class DemoShards {
  private DemoShards() {}

  static final String MARKER = "_DEMO_CORPUS";

  /** Replaces {@code dir} with {@code files} shards of {@code rows} and the marker. */
  static void write(
      SparkSession spark,
      List<Row> rows,
      StructType schema,
      File dir,
      int files,
      String fingerprint) {
    for (int f = 0; f < files; f++) {
      List<Row> shard = rows.subList(f * rows.size() / files, (f + 1) * rows.size() / files);
      if (f == 0) {
        SmallTables.replace(spark, shard, schema, dir.getAbsolutePath());
      } else {
        SmallTables.append(spark, shard, schema, dir.getAbsolutePath());
      }
    }
    try {
      Files.writeString(new File(dir, MARKER).toPath(), fingerprint, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + new File(dir, MARKER), e);
    }
  }

  /** True if {@code dir} holds a complete folder of the corpus {@code fingerprint} names. */
  static boolean isWritten(File dir, String fingerprint) {
    File marker = new File(dir, MARKER);
    try {
      return marker.isFile()
          && Files.readString(marker.toPath(), StandardCharsets.UTF_8).equals(fingerprint);
    } catch (IOException e) {
      return false;
    }
  }
}
