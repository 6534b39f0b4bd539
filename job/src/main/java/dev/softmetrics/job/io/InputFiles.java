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
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * The input files of a run as storage describes them: size, modification time and the row count of
 * the Parquet footer. The footer's count is the reference the scoring pass is checked against, so
 * it is read here, independently of Spark's scan. Footers are read on the driver, several at a
 * time.
 */
public final class InputFiles {
  private InputFiles() {}

  private static final int THREADS = 8;

  /** One input file. {@code path} is qualified the way {@link #qualified} spells it. */
  public record InputFile(String path, long bytes, Instant modifiedAt, long rows) {}

  /** The files' descriptions, in the order given. */
  public static List<InputFile> describe(List<String> files, Configuration hadoop) {
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Math.min(THREADS, files.size())));
    try {
      List<Future<InputFile>> futures = new ArrayList<>();
      for (String file : files) {
        futures.add(pool.submit(() -> describe(file, hadoop)));
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

  private static InputFile describe(String file, Configuration hadoop) {
    try {
      Path path = new Path(new URI(file));
      FileSystem fs = path.getFileSystem(hadoop);
      FileStatus status = fs.getFileStatus(path);
      long rows;
      try (ParquetFileReader reader =
          ParquetFileReader.open(HadoopInputFile.fromStatus(status, hadoop))) {
        rows = reader.getRecordCount();
      }
      return new InputFile(
          fs.makeQualified(path).toString(),
          status.getLen(),
          Instant.ofEpochMilli(status.getModificationTime()),
          rows);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Parquet footer of " + file, e);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Invalid input path: " + file + " (not a URI)", e);
    }
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
