package dev.softmetrics.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.output.SmallTables;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Test fixtures: one Parquet file per folder, written from the driver (no Spark job, so fixtures
 * are cheap), and the ways a file gets broken.
 */
public final class Shards {
  private Shards() {}

  /** Writes {@code rows} as one Parquet file in the new folder {@code dir}; returns the file. */
  public static Path write(SparkSession spark, Path dir, StructType schema, List<Row> rows) {
    SmallTables.replace(spark, rows, schema, dir.toString());
    return onlyFile(dir);
  }

  /** The one Parquet file in {@code dir}. */
  public static Path onlyFile(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> parquet =
          files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
      assertThat(parquet).as("Parquet files in %s", dir).hasSize(1);
      return parquet.get(0).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Cuts {@code file} to its first half: the footer at its end is gone. */
  public static void truncate(Path file) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Overwrites the bytes right after the leading magic number, where the first data page's header
   * starts: the footer still reads, the data does not. The local file system's checksum file goes
   * too, so that the Parquet reader meets the damage itself, as it would on an object store.
   */
  public static void corruptFirstPage(Path file) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(4);
      for (int i = 0; i < 16; i++) {
        f.write(0xFF);
      }
      Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rows of the table in {@code dir} without {@code run_id}, as sorted strings. */
  public static List<String> tableRows(SparkSession spark, String dir) {
    return spark.read().parquet(dir).drop("run_id").collectAsList().stream()
        .map(Row::toString)
        .sorted()
        .toList();
  }
}
