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
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
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
    overwrite(file, 4);
  }

  /**
   * Overwrites the start of the first row group's chunk of the top-level column {@code column} (its
   * first page header): the footer and the other columns still read, this column does not. The
   * checksum file goes too, as for {@link #corruptFirstPage}.
   */
  public static void corruptColumnChunk(Path file, String column) {
    try (ParquetFileReader footer = footer(file)) {
      overwrite(
          file,
          footer.getRowGroups().get(0).getColumns().stream()
              .filter(c -> c.getPath().toArray()[0].equals(column))
              .findFirst()
              .orElseThrow()
              .getStartingPos());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rows of each row group of {@code file}, from its footer. */
  public static long[] groupRows(Path file) {
    try (ParquetFileReader footer = footer(file)) {
      return footer.getRowGroups().stream().mapToLong(g -> g.getRowCount()).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ParquetFileReader footer(Path file) throws IOException {
    return ParquetFileReader.open(
        HadoopInputFile.fromPath(
            new org.apache.hadoop.fs.Path(file.toUri()),
            new org.apache.hadoop.conf.Configuration()));
  }

  /** 16 bytes of 0xFF at {@code offset}, and no checksum file left to notice them. */
  private static void overwrite(Path file, long offset) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
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
