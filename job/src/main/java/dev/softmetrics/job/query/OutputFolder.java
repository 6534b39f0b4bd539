package dev.softmetrics.job.query;

import dev.softmetrics.job.tables.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The tables of an output folder as Spark SQL views named after them ({@code sequences}, {@code
 * corpus}, {@code rejected}, {@code runs}, {@code comparisons}): those whose folder holds data.
 */
public final class OutputFolder {
  private OutputFolder() {}

  /** The tables a run writes, in the order they are listed. */
  public static final List<String> TABLES =
      List.of(
          Tables.SEQUENCES.folder(),
          Tables.CORPUS.folder(),
          Tables.REJECTED.folder(),
          Tables.RUNS.folder(),
          Tables.COMPARISONS.folder(),
          Tables.POSITIONS.folder());

  /**
   * Registers each table found under {@code dir} as a temporary view.
   *
   * @return the views registered and the folders they read
   * @throws IllegalArgumentException when {@code dir} is missing or holds none of the tables
   */
  public static OutputViews registerViews(SparkSession spark, String dir) {
    Map<String, Path> found = new LinkedHashMap<>();
    try {
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.isDirectory(root)) {
        throw new IllegalArgumentException(String.format("Cannot query %s: no such folder", dir));
      }
      for (String table : tablesIn(fs, root)) {
        Path folder = new Path(root, table);
        spark.read().parquet(folder.toString()).createOrReplaceTempView(table);
        found.put(table, fs.makeQualified(folder));
      }
      if (found.isEmpty()) {
        throw new IllegalArgumentException(LocalOutput.noTables(dir, outputsBelow(fs, root)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
    }
    return new OutputViews(dir, found);
  }

  private static List<String> tablesIn(FileSystem fs, Path root) throws IOException {
    List<String> tables = new ArrayList<>();
    for (String table : TABLES) {
      Path folder = new Path(root, table);
      if (fs.isDirectory(folder) && holdsParquet(fs, folder)) {
        tables.add(table);
      }
    }
    return tables;
  }

  /** The subfolders of {@code root} that hold tables: a folder of outputs, as the demo writes. */
  private static List<String> outputsBelow(FileSystem fs, Path root) throws IOException {
    List<String> outputs = new ArrayList<>();
    for (FileStatus child : fs.listStatus(root)) {
      String name = child.getPath().getName();
      boolean hidden = name.startsWith(".") || name.startsWith("_");
      if (child.isDirectory() && !hidden && !tablesIn(fs, child.getPath()).isEmpty()) {
        outputs.add(name);
      }
    }
    outputs.sort(null);
    return outputs;
  }

  private static boolean holdsParquet(FileSystem fs, Path folder) throws IOException {
    var files = fs.listFiles(folder, true);
    while (files.hasNext()) {
      Path file = files.next().getPath();
      String name = file.getName();
      if (name.endsWith(".parquet") && !hidden(folder, file)) {
        return true;
      }
    }
    return false;
  }

  /** Spark skips files and folders whose name starts with a dot or an underscore. */
  private static boolean hidden(Path folder, Path file) {
    for (Path p = file; p != null && !p.equals(folder); p = p.getParent()) {
      if (p.getName().startsWith(".") || p.getName().startsWith("_")) {
        return true;
      }
    }
    return false;
  }
}
