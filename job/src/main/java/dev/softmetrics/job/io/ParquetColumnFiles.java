package dev.softmetrics.job.io;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.errors.QueryExecutionErrors;

/**
 * What the task readers of one column ({@link ListColumnReader}, {@link BinaryColumnReader}) share.
 */
final class ParquetColumnFiles {
  private ParquetColumnFiles() {}

  /** Opens {@code file} (its footer read), pages decompressed by {@code codecs}. */
  static ParquetFileReader open(
      HadoopInputFile file, Configuration conf, CompressionCodecFactory codecs) throws IOException {
    return ParquetFileReader.open(
        file, HadoopReadOptions.builder(conf, file.getPath()).withCodecFactory(codecs).build());
  }

  /** The file {@code path} ({@code _metadata.file_path}'s spelling). */
  static HadoopInputFile inputFile(String path, Configuration conf) throws IOException {
    return HadoopInputFile.fromPath(hadoopPath(path), conf);
  }

  private static Path hadoopPath(String path) {
    try {
      // _metadata.file_path is a URI with its special characters escaped, as Spark spells it.
      return new Path(new URI(path));
    } catch (URISyntaxException e) {
      return new Path(path);
    }
  }

  /** The top-level field named {@code column}: exactly, else the only case-insensitive match. */
  static Type field(MessageType schema, String column) {
    Type match = null;
    for (Type f : schema.getFields()) {
      if (f.getName().equals(column)) {
        return f;
      }
      if (f.getName().equalsIgnoreCase(column)) {
        if (match != null) {
          throw new IllegalArgumentException(
              "columns " + match.getName() + " and " + f.getName() + " both match " + column);
        }
        match = f;
      }
    }
    return match;
  }

  /**
   * Spark's own {@code FAILED_READ_FILE} error for {@code error} in the file {@code path}, thrown
   * as it is (a checked {@code SparkException}), as Spark's own scan does from Scala, so that the
   * job recognises it in the task's failure.
   */
  static RuntimeException readError(Throwable error, String path) {
    throw ParquetColumnFiles.<RuntimeException>sneaky(
        QueryExecutionErrors.cannotReadFilesError(error, path));
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable error) throws E {
    throw (E) error;
  }
}
