package dev.softmetrics.job.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * {@code DIR/results.json}: the run's results in one file, for tools that expect one JSON per
 * evaluation: {@code {"corpus": [...], "comparisons": [...], "run": {...}}}, the rows of {@code
 * corpus/} and {@code comparisons/} and this run's row of {@code runs/}, each an object with the
 * table's columns in the table's order, from the rows the job wrote into them ({@link JsonValues}
 * says how each type is written). It is replaced whole: written under a hidden name beside it, then
 * renamed over the old one (atomic on local disks and HDFS), so a reader or a killed run never
 * leaves half a file. A run killed between the two leaves the hidden file; the next write removes
 * such files first (it runs under the output's lock, so none of them is another live run's).
 */
public final class ResultsFile {
  private ResultsFile() {}

  /** The file's name in the output folder. */
  public static final String NAME = "results.json";

  /** One table's rows, with the schema they were written with. */
  public record TableRows(StructType schema, List<Row> rows) {}

  /**
   * Replaces {@code output}'s results.json with {@code corpus}, {@code comparisons}, {@code run}.
   */
  public static void write(
      Configuration hadoop, String output, TableRows corpus, TableRows comparisons, TableRows run) {
    if (run.rows().size() != 1) {
      throw new IllegalStateException("results.json takes one runs/ row, not " + run.rows().size());
    }
    byte[] json = json(corpus, comparisons, run);
    Path target = new Path(output, NAME);
    String staging = STAGING_PREFIX + UUID.randomUUID() + STAGING_SUFFIX;
    try {
      FileSystem fs = target.getFileSystem(hadoop);
      removeStaleStaging(fs, new Path(output));
      FileSystem raw = fs instanceof LocalFileSystem checked ? checked.getRaw() : fs;
      if (raw instanceof RawLocalFileSystem local) {
        replaceLocal(json, local.pathToFile(target).toPath(), staging);
      } else {
        replace(json, fs, hadoop, target, new Path(output, staging));
      }
    } catch (IOException | RuntimeException e) {
      throw WriteFailures.explain(e, target.toString());
    }
  }

  private static final String STAGING_PREFIX = "." + NAME + ".";
  private static final String STAGING_SUFFIX = ".tmp";

  /**
   * The hidden files a killed run's write left in {@code output} ({@code
   * .results.json.<uuid>.tmp}).
   */
  private static void removeStaleStaging(FileSystem fs, Path output) throws IOException {
    if (!fs.exists(output)) {
      return;
    }
    for (org.apache.hadoop.fs.FileStatus status : fs.listStatus(output)) {
      String name = status.getPath().getName();
      if (status.isFile()
          && name.startsWith(STAGING_PREFIX)
          && name.endsWith(STAGING_SUFFIX)
          && isUuid(
              name.substring(STAGING_PREFIX.length(), name.length() - STAGING_SUFFIX.length()))) {
        fs.delete(status.getPath(), false);
      }
    }
  }

  private static boolean isUuid(String text) {
    try {
      return UUID.fromString(text).toString().equals(text);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** One {@code rename(2)} (java.nio's atomic move; Hadoop's local rename deletes first). */
  private static void replaceLocal(byte[] json, java.nio.file.Path target, String stagingName)
      throws IOException {
    java.nio.file.Path staging = target.resolveSibling(stagingName);
    try {
      Files.write(staging, json, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.move(
          staging, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(staging);
    }
  }

  /**
   * Hadoop's rename with overwrite: atomic on HDFS; an object store copies, and the object appears
   * whole.
   */
  private static void replace(
      byte[] json, FileSystem fs, Configuration hadoop, Path target, Path staging)
      throws IOException {
    try {
      try (OutputStream out = fs.create(staging, false)) {
        out.write(json);
      }
      FileContext.getFileContext(fs.getUri(), hadoop)
          .rename(staging, target, Options.Rename.OVERWRITE);
    } finally {
      fs.delete(staging, false);
    }
  }

  /** The file's bytes: UTF-8 JSON, pretty-printed, ending with a line break. */
  static byte[] json(TableRows corpus, TableRows comparisons, TableRows run) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    JsonFactory factory =
        JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    try (JsonGenerator json = factory.createGenerator(bytes)) {
      json.useDefaultPrettyPrinter();
      json.writeStartObject();
      json.writeFieldName("corpus");
      writeRows(json, corpus);
      json.writeFieldName("comparisons");
      writeRows(json, comparisons);
      json.writeFieldName("run");
      JsonValues.write(json, run.rows().get(0), run.schema());
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytes.write('\n');
    return bytes.toByteArray();
  }

  private static void writeRows(JsonGenerator json, TableRows table) throws IOException {
    json.writeStartArray();
    for (Row row : table.rows()) {
      JsonValues.write(json, row, table.schema());
    }
    json.writeEndArray();
  }
}
