package dev.softmetrics.job.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The tables of an output folder on a local disk, listed without Spark or Hadoop: for each table
 * whose folder holds data, its Parquet files as Spark would read them (names ending in {@code
 * .parquet}, none under a name starting with a dot or an underscore), in a stable order.
 *
 * @param dir the output folder as the user gave it, for messages
 * @param root the output folder, absolute and normalized
 * @param files each table's files (absolute, normalized), in the order of {@link #TABLES}
 */
public record LocalOutput(String dir, Path root, Map<String, List<Path>> files) {

  /** The tables a run writes, in the order they are listed (as {@link OutputFolder#TABLES}). */
  public static final List<String> TABLES =
      List.of("sequences", "corpus", "rejected", "runs", "comparisons", "positions");

  /** True when {@code dir} names a local folder: a plain path or a {@code file:} URI. */
  public static boolean isLocal(String dir) {
    int colon = dir.indexOf(':');
    if (colon < 0 || dir.startsWith("/") || isWindowsDrive(dir, colon)) {
      return true;
    }
    return dir.substring(0, colon).toLowerCase(Locale.ROOT).equals("file");
  }

  private static boolean isWindowsDrive(String dir, int colon) {
    return colon == 1 && Character.isLetter(dir.charAt(0));
  }

  /**
   * Lists the tables under {@code dir}.
   *
   * @throws IllegalArgumentException when {@code dir} is missing or holds none of the tables; when
   *     its subfolders do (a folder of outputs, such as the demo's), the message names them
   */
  public static LocalOutput of(String dir) {
    Path root = localPath(dir);
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(String.format("Cannot query %s: no such folder", dir));
    }
    Map<String, List<Path>> found = tables(root);
    if (found.isEmpty()) {
      throw new IllegalArgumentException(noTables(dir, outputsBelow(root)));
    }
    return new LocalOutput(dir, root, found);
  }

  /** The names of the tables found. */
  public List<String> names() {
    return List.copyOf(files.keySet());
  }

  /**
   * The message for a folder that holds no table: a folder of outputs (the demo writes one per run)
   * names its subfolders that do, so the user can pick one.
   */
  static String noTables(String dir, List<String> outputsBelow) {
    String tables = String.join(", ", TABLES);
    if (outputsBelow.isEmpty()) {
      return String.format(
          "Cannot query %s: it holds none of the tables %s (must be the --output folder of a"
              + " score run)",
          dir, tables);
    }
    String sep = dir.endsWith("/") ? "" : "/";
    return String.format(
        "Cannot query %s: it holds none of the tables %s, but its subfolders %s do (use --output"
            + " %s%s%s)",
        dir, tables, String.join(", ", outputsBelow), dir, sep, outputsBelow.get(0));
  }

  private static Path localPath(String dir) {
    Path path = dir.regionMatches(true, 0, "file:", 0, 5) ? Path.of(URI.create(dir)) : Path.of(dir);
    return path.toAbsolutePath().normalize();
  }

  private static Map<String, List<Path>> tables(Path root) {
    Map<String, List<Path>> found = new LinkedHashMap<>();
    for (String table : TABLES) {
      Path folder = root.resolve(table);
      if (Files.isDirectory(folder)) {
        List<Path> files = parquetFiles(folder);
        if (!files.isEmpty()) {
          found.put(table, files);
        }
      }
    }
    return found;
  }

  /** The names of the subfolders of {@code root} that hold tables, sorted. */
  private static List<String> outputsBelow(Path root) {
    List<String> outputs = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      for (Path child : children.sorted().toList()) {
        if (Files.isDirectory(child) && !hidden(child) && !tables(child).isEmpty()) {
          outputs.add(child.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + root + ": " + e.getMessage(), e);
    }
    return outputs;
  }

  private static List<Path> parquetFiles(Path folder) {
    try (Stream<Path> walk = Files.walk(folder)) {
      return walk.filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .filter(Files::isRegularFile)
          .filter(p -> !hiddenBelow(folder, p))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + folder + ": " + e.getMessage(), e);
    }
  }

  /** Spark skips files and folders whose name starts with a dot or an underscore. */
  private static boolean hiddenBelow(Path folder, Path file) {
    for (Path p = file; p != null && !p.equals(folder); p = p.getParent()) {
      if (hidden(p)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hidden(Path p) {
    String name = p.getFileName().toString();
    return name.startsWith(".") || name.startsWith("_");
  }
}
