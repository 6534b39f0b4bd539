package dev.softmetrics.job.output;

import dev.softmetrics.job.io.TaskEnd;
import dev.softmetrics.job.tables.SequenceRow;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.parquet.ParquetCompressionCodec;
import org.apache.spark.sql.execution.datasources.parquet.SparkToParquetSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.SerializableConfiguration;

/**
 * {@code sequences/} written by the scoring tasks themselves, with the commit Spark's file writer
 * would give: each task attempt writes its files under its own folder, {@code _attempts/<task
 * attempt id>/}, and returns their names; the driver moves the files of the attempts whose results
 * it received (one per partition: a failed, retried or speculative attempt's files are never moved)
 * into their {@code file_key=} partitions, then deletes {@code _attempts/}. All of it happens
 * inside the run's staging folder ({@link StagedRun}), so a reader never sees these files before
 * the run's commit, and a killed run's are discarded by the next.
 *
 * <p>Why not Spark's writer: it takes rows as {@code InternalRow}s, projects each again, computes
 * {@code file_key} per row and writes through Parquet's record consumer; writing the scored values
 * straight into Parquet's column writers ({@link SequenceFileWriter}) does the same work in about
 * half the time (docs/PERFORMANCE.md). The files are the same: the Parquet schema Spark derives
 * from the table's schema, Spark's footer metadata (so Spark reads the table as before), and the
 * codec and Parquet settings of the session.
 */
public final class SequenceFiles implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The folder, inside the table's staging folder, that holds each task attempt's files. */
  static final String ATTEMPTS = "_attempts";

  /**
   * The files a task keeps open at once, one per input file: the {@code
   * spark.sql.maxConcurrentOutputFileWriters} the job sets for Spark's writer ({@link
   * StagedRun#REQUIRED_SQL_CONF}).
   */
  static final int OPEN_FILES = 32;

  /** A file a task wrote: the partition it belongs in, where it is, and its rows. */
  public record Written(String key, String path, long rows) implements Serializable {}

  private final String table;
  private final String writeId;
  private final String parquetSchema;
  private final TreeMap<String, String> metadata;
  private final CompressionCodecName codec;
  private final ArrayList<String> noDictionary;
  private final int extras;
  private final Broadcast<SerializableConfiguration> hadoop;

  private SequenceFiles(
      String table,
      String parquetSchema,
      TreeMap<String, String> metadata,
      CompressionCodecName codec,
      ArrayList<String> noDictionary,
      int extras,
      Broadcast<SerializableConfiguration> hadoop) {
    this.table = table;
    this.writeId = UUID.randomUUID().toString();
    this.parquetSchema = parquetSchema;
    this.metadata = metadata;
    this.codec = codec;
    this.noDictionary = noDictionary;
    this.extras = extras;
    this.hadoop = hadoop;
  }

  /**
   * The files of {@code table} (a staged folder) for rows of {@code schema}, with the session's
   * Parquet settings: its codec ({@code spark.sql.parquet.compression.codec}), its schema
   * conversion settings, and the Hadoop configuration its file writer would use.
   */
  static SequenceFiles of(SparkSession spark, Path table, StructType schema) {
    SQLConf sql = spark.sessionState().conf();
    TreeMap<String, String> metadata = new TreeMap<>();
    metadata.put(
        org.apache.spark.sql.package$.MODULE$.SPARK_VERSION_METADATA_KEY(),
        org.apache.spark.package$.MODULE$.SPARK_VERSION_SHORT());
    metadata.put(
        org.apache.spark.sql.execution.datasources.parquet.ParquetReadSupport$.MODULE$
            .SPARK_METADATA_KEY(),
        schema.json());
    Configuration conf = spark.sessionState().newHadoopConf();
    ArrayList<String> noDictionary =
        new ArrayList<>(OutputTables.withoutDictionary(List.of(schema.fieldNames())));
    return new SequenceFiles(
        table.toString(),
        new SparkToParquetSchemaConverter(sql).convert(schema).toString(),
        metadata,
        ParquetCompressionCodec.fromString(sql.parquetCompressionCodec()).getCompressionCodec(),
        noDictionary,
        schema.fields().length - SequenceRow.WIDTH,
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .broadcast(new SerializableConfiguration(conf)));
  }

  /**
   * The files of the running task attempt, closed (without a footer, never moved) if the task fails
   * before {@link Task#finish}.
   */
  public Task openTask() {
    return openTask(OPEN_FILES);
  }

  /** {@link #openTask()} with at most {@code maxOpen} files open at once. */
  Task openTask(int maxOpen) {
    TaskContext context = TaskContext.get();
    long attempt = context == null ? 0 : context.taskAttemptId();
    int partition = context == null ? 0 : context.partitionId();
    return TaskEnd.closes(
        new Task(new Path(new Path(table, ATTEMPTS), Long.toString(attempt)), partition, maxOpen));
  }

  /**
   * Moves the files the tasks wrote into the {@code file_key=} partitions of the staged table, then
   * deletes what failed or duplicate attempts left. Runs on the driver.
   */
  void place(FileSystem fs, Path output, List<Written> written) throws IOException {
    Path dir = new Path(table);
    for (Written w : written) {
      Path from = new Path(w.path());
      Path partition = new Path(dir, FileKeys.COLUMN + "=" + w.key());
      fs.mkdirs(partition);
      if (!fs.rename(from, new Path(partition, from.getName()))) {
        throw new IOException("cannot move " + from + " into " + partition);
      }
    }
    Path attempts = new Path(dir, ATTEMPTS);
    if (fs.exists(attempts)) {
      StagedRun.deleteStage(fs, output, attempts);
    }
  }

  /**
   * Checks that the tasks wrote, for each input file, as many rows as the pass counted scored from
   * it ({@code scoredByFile}, by file path as {@code _metadata.file_path} spells it): a row lost
   * between the scorer and the files would otherwise go unnoticed by the run's accounting, which
   * counts what was scored.
   *
   * @throws IllegalStateException naming the first file whose counts differ
   */
  public static void checkRows(List<Written> written, Map<String, Long> scoredByFile) {
    Map<String, Long> rowsByKey = new TreeMap<>();
    for (Written w : written) {
      rowsByKey.merge(w.key(), w.rows(), Long::sum);
    }
    for (Map.Entry<String, Long> file : new TreeMap<>(scoredByFile).entrySet()) {
      Long rows = rowsByKey.remove(FileKeys.ofFilePath(file.getKey()));
      checkRows(rows == null ? 0 : rows, file.getKey(), file.getValue());
    }
    for (Map.Entry<String, Long> left : rowsByKey.entrySet()) {
      checkRows(left.getValue(), FileKeys.COLUMN + "=" + left.getKey(), 0);
    }
  }

  private static void checkRows(long rows, String file, long scored) {
    if (rows != scored) {
      throw new IllegalStateException(
          String.format(
              "Internal error: the run wrote %d rows of %s to sequences/ where it scored %d"
                  + " (please report this; the run is not committed)",
              rows, file, scored));
    }
  }

  /**
   * The {@code sequences/} files of one task attempt: one per input file, at most {@link
   * #OPEN_FILES} open at once (as Spark's writer keeps one per {@code file_key} open in a task).
   * Rows of one input file come together in a scan task; should a file's rows come back after its
   * file was closed to make room, they go into a further file of the same partition.
   */
  public final class Task implements AutoCloseable {
    private final Path folder;
    private final int partition;
    private final int maxOpen;
    private final MessageType schema = MessageTypeParser.parseMessageType(parquetSchema);
    private final Map<String, String> footer = Map.copyOf(metadata);
    private final List<Written> written = new ArrayList<>();

    /** The open files by input file, least recently written first. */
    private final LinkedHashMap<UTF8String, OpenFile> open = new LinkedHashMap<>(16, 0.75f, true);

    private int files;
    private OpenFile last;

    private Task(Path folder, int partition, int maxOpen) {
      this.folder = folder;
      this.partition = partition;
      this.maxOpen = maxOpen;
    }

    /**
     * Writes {@code row} into the file of its input file ({@code source_file}); its arrays are read
     * now.
     *
     * @throws UncheckedIOException when the file cannot be written (a full disk, a folder that is
     *     not writable: {@link WriteFailures} finds the cause in the chain)
     */
    public void write(SequenceRow row) {
      UTF8String source = row.sourceFile();
      OpenFile file = last;
      try {
        if (file == null || !source.equals(file.source)) {
          file = open.get(source);
          if (file == null) {
            file = start(source);
          }
          last = file;
        }
        file.writer.write(row);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + (file == null ? folder : file.path), e);
      }
    }

    private OpenFile start(UTF8String source) throws IOException {
      if (open.size() >= maxOpen) {
        var eldest = open.entrySet().iterator().next().getValue();
        open.remove(eldest.source);
        finish(eldest);
      }
      UTF8String key = source.copy();
      Path path =
          new Path(
              folder,
              String.format(
                  Locale.ROOT,
                  "part-%05d-%s.c%03d%s.parquet",
                  partition,
                  writeId,
                  files++,
                  codec.getExtension()));
      OpenFile file =
          new OpenFile(
              key,
              FileKeys.ofFilePath(key.toString()),
              path,
              new SequenceFileWriter(
                  path, hadoop.value().value(), schema, footer, codec, noDictionary, extras));
      open.put(key, file);
      return file;
    }

    private void finish(OpenFile file) throws IOException {
      if (last == file) {
        last = null;
      }
      file.writer.close();
      written.add(new Written(file.key, file.path.toString(), file.writer.rows()));
    }

    /** Closes the open files and returns the task's files, for the driver to move into place. */
    public List<Written> finish() {
      try {
        while (!open.isEmpty()) {
          OpenFile file = open.entrySet().iterator().next().getValue();
          open.remove(file.source);
          finish(file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + folder, e);
      }
      return List.copyOf(written);
    }

    @Override
    public void close() {
      for (OpenFile file : open.values()) {
        file.writer.abandon();
      }
      open.clear();
      last = null;
    }
  }

  /** A file being written: its input file, partition key and path. */
  private record OpenFile(UTF8String source, String key, Path path, SequenceFileWriter writer) {}
}
