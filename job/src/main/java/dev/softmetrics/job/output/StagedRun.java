package dev.softmetrics.job.output;

import dev.softmetrics.job.tables.Columns;
import dev.softmetrics.job.tables.Tables;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * How a run replaces its part of {@code sequences/} and {@code rejected/} without a reader ever
 * seeing partial or duplicate rows, even when the run is killed.
 *
 * <p>Both tables are partitioned by input file ({@link FileKeys}). A run writes its partitions
 * under {@code DIR/_staging/<run id>/}, where readers of the tables do not look. Then it writes
 * {@code _COMMIT} there, the list of partitions it replaces (every input file it read, with or
 * without rows), and swaps them in one by one: the live partition, if any, is moved into the
 * staging folder and the staged one renamed into its place. A partition appears by a single rename,
 * so it is either the old one or the new one, never a mix. Partitions of files the run did not read
 * stay.
 *
 * <p>Before {@code _COMMIT}, the run leaves there its {@code runs/} row too (status "... (committed
 * by a later run)"); when it ends well it appends its final row under the same file name instead.
 *
 * <p>A run that finds another run's staging folder finishes its work first: with {@code _COMMIT}
 * the swaps are completed (the rules make each swap safe to repeat) and the row left for {@code
 * runs/} is appended; without it the run stopped before committing and its staging folder is
 * deleted. This is only safe while the run holds the folder's {@link OutputLock}, so the owners of
 * those folders are gone; every delete goes through {@link #deleteStage}, which refuses any path
 * not strictly inside {@code DIR/_staging/}. Run ids are folder names by {@link RunId#folderName}.
 */
public final class StagedRun {
  /** The folder under the output folder that holds runs' staging folders. */
  public static final String STAGING = "_staging";

  private static final String COMMIT = "_COMMIT";
  private static final String REPLACED = "replaced";
  private static final String RUN_ROW = "runs";

  /** The tables partitioned by input file. */
  public static final List<String> PARTITIONED =
      List.of(Tables.SEQUENCES.folder(), Tables.REJECTED.folder());

  private final SparkSession spark;
  private final FileSystem fs;
  private final Path output;
  private final Path stage;
  private boolean committed;
  private String runRowFile;

  private StagedRun(SparkSession spark, FileSystem fs, Path output, Path stage) {
    this.spark = spark;
    this.fs = fs;
    this.output = output;
    this.stage = stage;
  }

  /**
   * Finishes or discards what earlier runs left in the output folder (telling {@code log} what it
   * did), then opens a staging folder for run {@code runId}. The caller must hold the folder's
   * {@link OutputLock}.
   */
  public static StagedRun begin(
      SparkSession spark, String output, String runId, Consumer<String> log) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    try {
      Path out = new Path(output);
      FileSystem fs = out.getFileSystem(hadoop);
      checkLayout(fs, out);
      recover(fs, out, log);
      Path stage = new Path(new Path(out, STAGING), RunId.folderName(runId));
      fs.mkdirs(stage);
      return new StagedRun(spark, fs, out, stage);
    } catch (IOException | FSError e) {
      throw WriteFailures.explain(e, output);
    }
  }

  /**
   * Spark settings of the partitioned writes. With concurrent writers a task keeps one Parquet
   * writer open per {@code file_key} it meets (a task reads few input files) instead of sorting all
   * its rows by the key first: the sort was a full copy of every row of {@code sequences/} through
   * Spark's external sorter. Past this many keys in one task, Spark sorts the rest as before.
   */
  public static final Map<String, String> REQUIRED_SQL_CONF =
      Map.of("spark.sql.maxConcurrentOutputFileWriters", String.valueOf(SequenceFiles.OPEN_FILES));

  /**
   * Writes this run's rows of a partitioned table into the staging folder, each under the key of
   * its {@code source_file}.
   */
  public void write(Dataset<Row> rows, String table) {
    String dir = new Path(stage, table).toString();
    try {
      OutputTables.writer(
              rows.withColumn(
                  FileKeys.COLUMN, FileKeys.udf().apply(functions.col(Columns.SOURCE_FILE.name()))))
          .partitionBy(FileKeys.COLUMN)
          .parquet(dir);
    } catch (Exception e) {
      // Spark throws its checked SparkException undeclared. Only a cause the user can act on
      // replaces Spark's error: read failures keep theirs, for the skipping of unreadable files.
      Optional<IllegalStateException> known = WriteFailures.known(e, dir);
      if (known.isPresent()) {
        throw known.get();
      }
      throw e;
    }
  }

  /**
   * The files the scoring tasks write this run's rows of {@code sequences/} into ({@link
   * SequenceFiles}), in the staging folder; what an earlier pass of the run staged there is removed
   * first, as {@link #write} replaces it.
   */
  public SequenceFiles sequenceFiles(StructType schema) {
    Path dir = new Path(stage, Tables.SEQUENCES.folder());
    try {
      if (fs.exists(dir)) {
        deleteStage(fs, output, dir);
      }
      fs.mkdirs(dir);
      return SequenceFiles.of(spark, fs.makeQualified(dir), schema);
    } catch (IOException | FSError e) {
      throw WriteFailures.explain(e, dir.toString());
    }
  }

  /**
   * Runs {@code tasks}, which write {@code files} (each task returning what it wrote), and moves
   * what they wrote into the staged partitions of {@code sequences/}; returns what they wrote.
   */
  public List<SequenceFiles.Written> writeSequences(
      SequenceFiles files, JavaRDD<SequenceFiles.Written> tasks) {
    String dir = new Path(stage, Tables.SEQUENCES.folder()).toString();
    List<SequenceFiles.Written> written;
    try {
      written = tasks.collect();
    } catch (Exception e) {
      // As in write: only a cause the user can act on replaces Spark's error.
      Optional<IllegalStateException> known = WriteFailures.known(e, dir);
      if (known.isPresent()) {
        throw known.get();
      }
      throw e;
    }
    try {
      files.place(fs, output, written);
    } catch (IOException | FSError e) {
      throw WriteFailures.explain(e, dir);
    }
    return written;
  }

  /**
   * Swaps in the staged partitions of the files with {@code keys}, and removes the live partitions
   * of those files that have none staged. Each table keeps an {@link FileKeys#EMPTY} partition with
   * an empty file, so that it always has a schema to read.
   */
  public void commit(
      Collection<String> keys, StructType sequences, StructType rejected, Row pendingRun) {
    runRowFile =
        SmallTables.put(
            spark, List.of(pendingRun), Tables.RUNS.schema(), new Path(stage, RUN_ROW), null);
    try {
      StringBuilder plan = new StringBuilder();
      for (String table : PARTITIONED) {
        for (String key : new TreeSet<>(keys)) {
          boolean staged = fs.exists(partition(new Path(stage, table), key));
          plan.append(table).append('\t').append(key).append('\t').append(staged).append('\n');
        }
      }
      Path pending = new Path(stage, "." + COMMIT + ".tmp");
      try (OutputStream out = fs.create(pending, true)) {
        out.write(plan.toString().getBytes(StandardCharsets.UTF_8));
      }
      rename(fs, pending, new Path(stage, COMMIT));
      committed = true;
      replay(fs, output, stage);
      ensureEmptyPartition(Tables.SEQUENCES.folder(), sequences);
      ensureEmptyPartition(Tables.REJECTED.folder(), rejected);
    } catch (IOException | FSError e) {
      throw WriteFailures.explain(e, output.toString());
    }
  }

  /**
   * Appends the run's final {@code runs/} row, under the name of the row it left for a later run,
   * so that that one is never appended as well.
   */
  public void appendRun(Row run) {
    SmallTables.put(
        spark,
        List.of(run),
        Tables.RUNS.schema(),
        new Path(output, Tables.RUNS.folder()),
        runRowFile);
  }

  /** True once the plan is written: from then on, a failed run is completed by the next one. */
  public boolean committed() {
    return committed;
  }

  /** The keys of the live partitions of {@code table}, without {@link FileKeys#EMPTY}. */
  public Set<String> liveKeys(String table) {
    Set<String> keys = new TreeSet<>();
    try {
      Path dir = new Path(output, table);
      if (!fs.exists(dir)) {
        return keys;
      }
      for (FileStatus status : fs.listStatus(dir)) {
        String name = status.getPath().getName();
        if (status.isDirectory() && name.startsWith(FileKeys.COLUMN + "=")) {
          String key = name.substring(FileKeys.COLUMN.length() + 1);
          if (!key.equals(FileKeys.EMPTY)) {
            keys.add(key);
          }
        }
      }
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir(table), e);
    }
  }

  /** Deletes the staging folder, once the run's {@code runs/} row is written. */
  public void close() {
    try {
      deleteStage(fs, output, stage);
    } catch (IOException e) {
      throw WriteFailures.explain(e, stage.toString());
    }
  }

  /**
   * Deletes the staging folder of a run that failed before committing, if it can: what is left (on
   * a read-only or full disk) the next run discards, and the run's own failure is what to say.
   */
  public void abandon() {
    try {
      deleteStage(fs, output, stage);
    } catch (IOException | RuntimeException e) {
      System.err.println("softmetrics: could not delete " + stage + " (the next run will): " + e);
    }
  }

  /** Deletes {@code dir} if it is strictly inside {@code output/_staging/}, else throws. */
  static void deleteStage(FileSystem fs, Path output, Path dir) throws IOException {
    Path staging = fs.makeQualified(new Path(output, STAGING));
    Path qualified = fs.makeQualified(dir);
    Path parent = qualified.getParent();
    boolean inside = false;
    for (Path p = parent; p != null && !inside; p = p.getParent()) {
      inside = p.equals(staging);
    }
    String name = qualified.getName();
    if (!inside || name.isEmpty() || name.equals(".") || name.equals("..")) {
      throw new IllegalStateException(
          "Refusing to delete " + dir + ": it is not inside " + staging + " (please report this)");
    }
    fs.delete(qualified, true);
  }

  private String dir(String table) {
    return new Path(output, table).toString();
  }

  private void ensureEmptyPartition(String table, StructType schema) throws IOException {
    Path empty = partition(new Path(output, table), FileKeys.EMPTY);
    if (!fs.exists(empty)) {
      SmallTables.replace(spark, List.of(), schema, empty.toString());
    }
  }

  private static Path partition(Path table, String key) {
    return new Path(table, FileKeys.COLUMN + "=" + key);
  }

  /** Completes or discards the staging folders of earlier runs. */
  private static void recover(FileSystem fs, Path output, Consumer<String> log) throws IOException {
    Path staging = new Path(output, STAGING);
    if (!fs.exists(staging)) {
      return;
    }
    for (FileStatus run : fs.listStatus(staging)) {
      Path stage = run.getPath();
      String runId = RunId.fromFolderName(stage.getName());
      if (fs.exists(new Path(stage, COMMIT))) {
        replay(fs, output, stage);
        appendLeftRunRow(fs, output, stage);
        log.accept(
            "finished committing run "
                + runId
                + ", which stopped after its commit began; its runs/ row is appended and corpus/"
                + " is recomputed");
      } else {
        log.accept(
            "discarded the uncommitted output of run "
                + runId
                + ", which stopped before committing");
      }
      deleteStage(fs, output, stage);
    }
  }

  /** Moves the {@code runs/} row a committed run left into {@code runs/}, unless it is there. */
  private static void appendLeftRunRow(FileSystem fs, Path output, Path stage) throws IOException {
    Path left = new Path(stage, RUN_ROW);
    if (!fs.exists(left)) {
      return;
    }
    Path runs = new Path(output, Tables.RUNS.folder());
    for (FileStatus file : fs.listStatus(left)) {
      String name = file.getPath().getName();
      Path target = new Path(runs, name);
      if (name.endsWith(".parquet") && !name.startsWith(".") && !fs.exists(target)) {
        fs.mkdirs(runs);
        rename(fs, file.getPath(), target);
      }
    }
  }

  /**
   * Carries out a {@code _COMMIT} plan. Per line: a staged partition that is still in the staging
   * folder is swapped in (the live one moved aside first); a file without a staged partition has
   * its live partition moved aside. A line already carried out finds nothing left to move.
   */
  private static void replay(FileSystem fs, Path output, Path stage) throws IOException {
    List<String[]> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(fs.open(new Path(stage, COMMIT)), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isEmpty()) {
          lines.add(line.split("\t", -1));
        }
      }
    }
    for (String[] line : lines) {
      String table = line[0];
      String key = line[1];
      boolean staged = Boolean.parseBoolean(line[2]);
      Path live = partition(new Path(output, table), key);
      Path fresh = partition(new Path(stage, table), key);
      Path aside = partition(new Path(new Path(stage, REPLACED), table), key);
      if (staged && !fs.exists(fresh)) {
        continue;
      }
      if (fs.exists(live)) {
        fs.mkdirs(aside.getParent());
        deleteStage(fs, output, aside);
        rename(fs, live, aside);
      }
      if (staged) {
        fs.mkdirs(live.getParent());
        rename(fs, fresh, live);
      }
    }
  }

  /** Refuses an output folder written by a version that did not partition by file. */
  private static void checkLayout(FileSystem fs, Path output) throws IOException {
    for (String table : PARTITIONED) {
      Path dir = new Path(output, table);
      if (!fs.exists(dir)) {
        continue;
      }
      for (FileStatus status : fs.listStatus(dir)) {
        if (status.isFile() && status.getPath().getName().endsWith(".parquet")) {
          throw new IllegalArgumentException(
              "Cannot write into "
                  + output
                  + ": "
                  + table
                  + "/ holds Parquet files outside file_key= folders, the layout of an older"
                  + " softmetrics (schema version 1); move it away or use another --output");
        }
      }
    }
  }

  private static void rename(FileSystem fs, Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }
}
