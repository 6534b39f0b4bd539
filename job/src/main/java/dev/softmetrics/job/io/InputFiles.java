package dev.softmetrics.job.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.Footer;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.types.StructType;

/**
 * The input files of a run as storage describes them: size, modification time, and from the Parquet
 * footer the row count and the schema. The footer's count is the reference the scoring pass is
 * checked against, so it is read here, before the scan and independently of it. Footers are read on
 * the driver, several at a time (a small Spark job costs more than the reads themselves: see
 * docs/RELIABILITY.md).
 */
public final class InputFiles {
  private InputFiles() {}

  private static final int THREADS = 8;

  /**
   * One input file. {@code path} is qualified the way {@link #qualified} spells it (the listing's
   * spelling).
   *
   * @param rows the footer's row count; -1 when the footer cannot be read
   * @param schema the file's columns as Spark reads them; null when the footer cannot be read
   * @param problem why the file cannot be read as Parquet, or null when it can
   */
  public record InputFile(
      String path, long bytes, Instant modifiedAt, long rows, StructType schema, String problem) {

    /** True when the footer was read. */
    public boolean readable() {
      return problem == null;
    }
  }

  /** The files' descriptions, in the order given, from their listed status and their footers. */
  public static List<InputFile> describe(
      List<FileStatus> files, Configuration hadoop, ParquetToSparkSchemaConverter converter) {
    // Read options built once: ParquetFileReader.open builds them per file from the whole Hadoop
    // configuration, which cost 11 ms a file here, 30 times the footer read itself.
    ParquetReadOptions options = HadoopReadOptions.builder(hadoop).build();
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Math.min(THREADS, files.size())));
    try {
      List<Future<InputFile>> futures = new ArrayList<>();
      for (FileStatus file : files) {
        futures.add(pool.submit(() -> describe(file, hadoop, options, converter)));
      }
      List<InputFile> out = new ArrayList<>(files.size());
      for (Future<InputFile> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("Cannot read input footers: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading input footers", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static InputFile describe(
      FileStatus status,
      Configuration hadoop,
      ParquetReadOptions options,
      ParquetToSparkSchemaConverter converter) {
    Path path = status.getPath();
    String qualified = path.toString();
    Instant modified = Instant.ofEpochMilli(status.getModificationTime());
    if (status.getLen() == 0) {
      return new InputFile(qualified, 0, modified, -1, null, "empty (0 bytes)");
    }
    try {
      return footer(qualified, path, status, modified, hadoop, options, converter);
    } catch (IOException | RuntimeException e) {
      // parquet-mr reports a file that is not Parquet (no magic number, a footer that does not
      // decode) with plain RuntimeExceptions as well as IOExceptions.
      return new InputFile(qualified, status.getLen(), modified, -1, null, problem(e));
    }
  }

  private static InputFile footer(
      String qualified,
      Path path,
      FileStatus status,
      Instant modified,
      Configuration hadoop,
      ParquetReadOptions options,
      ParquetToSparkSchemaConverter converter)
      throws IOException {
    HadoopInputFile input = HadoopInputFile.fromStatus(status, hadoop);
    try (SeekableInputStream stream = input.newStream()) {
      ParquetMetadata footer = ParquetFileReader.readFooter(input, options, stream);
      long rows = footer.getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum();
      StructType schema =
          ParquetFileFormat.readSchemaFromFooter(new Footer(path, footer), converter);
      return new InputFile(qualified, status.getLen(), modified, rows, schema, null);
    }
  }

  /** The first line of the innermost message, which says what is wrong with the bytes. */
  private static String problem(Throwable e) {
    Throwable deepest = e;
    while (deepest.getCause() != null && deepest.getCause() != deepest) {
      deepest = deepest.getCause();
    }
    String message = deepest.getMessage() == null ? e.getMessage() : deepest.getMessage();
    if (message == null) {
      return "not readable as Parquet (" + deepest.getClass().getSimpleName() + ")";
    }
    int nl = message.indexOf('\n');
    return "not readable as Parquet: " + (nl < 0 ? message : message.substring(0, nl));
  }

  /** A path spelled the one way Hadoop qualifies it ({@code file:/x}, not {@code file:///x}). */
  public static String qualified(String file, Configuration hadoop) {
    try {
      Path path = new Path(new URI(file));
      return path.getFileSystem(hadoop).makeQualified(path).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot resolve the file system of " + file, e);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Invalid input path: " + file + " (not a URI)", e);
    }
  }
}
