package dev.softmetrics.job.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.types.StructType;
import scala.Function1;

/**
 * Writes a table of a few rows from the driver, without a Spark job.
 *
 * <p>A Spark write of even an empty table schedules a job and runs the commit protocol: 50-130 ms
 * each, most of a small run's fixed cost. The rows here are already on the driver, so they go
 * through the same Parquet writer a Spark task would use ({@link ParquetFileFormat}'s, prepared by
 * Spark from the session's settings), into one file, and the table reads back exactly as if Spark
 * had written it. Files are written under hidden names and renamed into place, so a reader never
 * sees a half-written file.
 */
public final class SmallTables {
  private SmallTables() {}

  /** Replaces the folder {@code dir} with one file holding {@code rows}, and {@code _SUCCESS}. */
  public static void replace(SparkSession spark, List<Row> rows, StructType schema, String dir) {
    Path target = new Path(dir);
    Path staging =
        new Path(target.getParent(), "." + target.getName() + "-" + UUID.randomUUID() + ".tmp");
    ParquetTaskWriter writer = new ParquetTaskWriter(spark, schema);
    try {
      FileSystem fs = target.getFileSystem(writer.conf());
      try {
        writer.write(rows, new Path(staging, writer.fileName()));
        fs.create(new Path(staging, "_SUCCESS"), true).close();
        if (fs.exists(target) && !fs.delete(target, true)) {
          throw new IOException("cannot delete " + target);
        }
        moveIntoPlace(fs, staging, target);
      } finally {
        fs.delete(staging, true);
      }
    } catch (IOException | RuntimeException | FSError e) {
      throw WriteFailures.explain(e, dir);
    }
  }

  /** Adds one file holding {@code rows} to the folder {@code dir}, creating it if needed. */
  public static void append(SparkSession spark, List<Row> rows, StructType schema, String dir) {
    put(spark, rows, schema, new Path(dir), null);
  }

  /**
   * Adds one file holding {@code rows} to the folder {@code dir} under the name {@code name}, or a
   * new name when it is null; returns the name.
   */
  public static String put(
      SparkSession spark, List<Row> rows, StructType schema, Path dir, String name) {
    ParquetTaskWriter writer = new ParquetTaskWriter(spark, schema);
    String file = name != null ? name : writer.fileName();
    Path staging = new Path(dir, "." + file + ".tmp");
    try {
      FileSystem fs = dir.getFileSystem(writer.conf());
      fs.mkdirs(dir);
      try {
        writer.write(rows, staging);
        moveIntoPlace(fs, staging, new Path(dir, file));
      } finally {
        fs.delete(staging, false);
      }
      return file;
    } catch (IOException | RuntimeException | FSError e) {
      throw WriteFailures.explain(e, dir.toString());
    }
  }

  private static void moveIntoPlace(FileSystem fs, Path staging, Path target) throws IOException {
    if (!fs.rename(staging, target)) {
      throw new IOException("cannot rename " + staging + " to " + target);
    }
  }

  /** The Parquet writer Spark prepares for a task that writes {@code schema}, on the driver. */
  private static final class ParquetTaskWriter {
    private final StructType stored;
    private final OutputWriterFactory factory;
    private final TaskAttemptContext context;

    ParquetTaskWriter(SparkSession spark, StructType schema) {
      // A file source stores every column as nullable, whatever the DataFrame said.
      this.stored = schema.asNullable();
      try {
        Job job = Job.getInstance(new Configuration(spark.sparkContext().hadoopConfiguration()));
        this.factory =
            new ParquetFileFormat()
                .prepareWrite(
                    spark,
                    job,
                    scala.collection.immutable.Map$.MODULE$.<String, String>empty(),
                    stored);
        this.context =
            new TaskAttemptContextImpl(
                job.getConfiguration(), new TaskAttemptID("softmetrics", 0, TaskType.MAP, 0, 0));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot prepare a Parquet writer: " + e.getMessage(), e);
      }
    }

    Configuration conf() {
      return context.getConfiguration();
    }

    /** A file name as Spark's writers give, with the extension of the session's codec. */
    String fileName() {
      return "part-00000-" + UUID.randomUUID() + "-c000" + factory.getFileExtension(context);
    }

    void write(List<Row> rows, Path file) {
      Function1<Object, Object> toInternal =
          CatalystTypeConverters.createToCatalystConverter(stored);
      OutputWriter writer = factory.newInstance(file.toString(), stored, context);
      try {
        for (Row row : rows) {
          writer.write((InternalRow) toInternal.apply(row));
        }
      } finally {
        writer.close();
      }
    }
  }
}
