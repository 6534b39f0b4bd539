package dev.softmetrics.job.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The files under the run's inputs, as storage lists them: a file is itself; a folder is every file
 * below it, at any depth; a glob is what it matches, folders read the same way. Below an input's
 * root (the folder given, a file's own folder, or a glob's folder before its first wildcard), names
 * that Spark treats as hidden are skipped: starting with {@code .}, or with {@code _} unless they
 * hold a {@code =} (so {@code _SUCCESS} and {@code _temporary/} go, a {@code _run=3/} label stays),
 * and files still being copied ({@code ._COPYING_}). The same listing is what the footers are read
 * from, what the scan reads, and what the accounting checks against.
 */
public final class InputListing {
  private InputListing() {}

  private static final String GLOB_CHARACTERS = "{}[]*?\\";

  /**
   * A listed file and the root of the input that named it; its folder labels are the {@code
   * key=value} folders between the two.
   */
  public record ListedFile(FileStatus status, Path root) {

    /** The qualified path, as Hadoop spells it ({@code file:/x}). */
    public String path() {
      return status.getPath().toString();
    }

    /** The names of the folders between the root and the file, outermost first. */
    public List<String> folders() {
      List<String> names = new ArrayList<>();
      for (Path p = status.getPath().getParent(); !p.equals(root); p = p.getParent()) {
        if (p.getParent() == null) {
          throw new IllegalStateException("Cannot find the root " + root + " above " + path());
        }
        names.add(0, p.getName());
      }
      return names;
    }

    /** True when the file's name, or a folder's between the root and it, is hidden. */
    boolean hidden() {
      return isHidden(status.getPath().getName())
          || folders().stream().anyMatch(InputListing::isHidden);
    }
  }

  /**
   * Lists every input, sorted by path; a file named by two inputs is there twice.
   *
   * @throws IllegalArgumentException when an input does not exist or a glob matches nothing
   */
  public static List<ListedFile> list(List<String> inputs, Configuration hadoop) {
    List<ListedFile> out = new ArrayList<>();
    for (String input : inputs) {
      try {
        listOne(input, hadoop, out);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot list input " + input + ": " + e.getMessage(), e);
      }
    }
    out.sort(Comparator.comparing(ListedFile::path));
    try {
      requireDistinctLocalFiles(out, hadoop);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot resolve the input files: " + e.getMessage(), e);
    }
    return out;
  }

  private static void listOne(String input, Configuration hadoop, List<ListedFile> out)
      throws IOException {
    Path given = new Path(input);
    FileSystem fs = given.getFileSystem(hadoop);
    Path qualified = fs.makeQualified(given);
    if (isGlob(input)) {
      FileStatus[] matches = fs.globStatus(qualified);
      if (matches == null || matches.length == 0) {
        throw new IllegalArgumentException(
            "Cannot read input: no path matches " + qualified + " (check --input)");
      }
      Path root = folderBeforeWildcards(qualified);
      for (FileStatus match : matches) {
        add(fs, match, root, out);
      }
      return;
    }
    FileStatus status;
    try {
      status = fs.getFileStatus(qualified);
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException(
          "Cannot read input: Path does not exist: " + qualified + " (check --input)", e);
    }
    if (status.isDirectory()) {
      add(fs, status, status.getPath(), out);
    } else {
      // A file named by its path is read whatever its name.
      out.add(new ListedFile(status, status.getPath().getParent()));
    }
  }

  /** The file, or every file below the folder, that is not hidden below {@code root}. */
  private static void add(FileSystem fs, FileStatus status, Path root, List<ListedFile> out)
      throws IOException {
    if (!status.isDirectory()) {
      ListedFile file = new ListedFile(status, root);
      if (!file.hidden()) {
        out.add(file);
      }
      return;
    }
    Optional<RawLocalFileSystem> local = localFileSystem(fs);
    if (local.isPresent()) {
      walkLocal(fs, local.get(), status, root, new HashSet<>(), out);
      return;
    }
    // One recursive listing: a single paged request on object stores, a walk elsewhere.
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(status.getPath(), true);
    while (files.hasNext()) {
      ListedFile file = new ListedFile(files.next(), root);
      if (!file.hidden()) {
        out.add(file);
      }
    }
  }

  /**
   * A local folder's files, walked one folder at a time: local folders may be symbolic links, and a
   * link back to a folder above would make a recursive listing read the same files again at every
   * level (or, with two such links, without end). Hidden folders are not entered.
   *
   * @param above the real paths of the folders being walked, for finding a loop
   */
  private static void walkLocal(
      FileSystem fs,
      RawLocalFileSystem local,
      FileStatus folder,
      Path root,
      Set<java.nio.file.Path> above,
      List<ListedFile> out)
      throws IOException {
    java.nio.file.Path real = local.pathToFile(folder.getPath()).toPath().toRealPath();
    if (!above.add(real)) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot read input: the folder %s is %s again, through a symbolic link (a loop;"
                  + " remove the link, or name the folders to read)",
              folder.getPath(), real));
    }
    FileStatus[] children = fs.listStatus(folder.getPath());
    java.io.File dir = local.pathToFile(folder.getPath());
    String[] names = dir.list();
    if (names != null && names.length != children.length) {
      // Hadoop leaves out what it cannot stat: a link whose target is gone.
      requireNoBrokenLinks(dir.toPath(), names);
    }
    Arrays.sort(children, Comparator.comparing(c -> c.getPath().getName()));
    for (FileStatus child : children) {
      ListedFile file = new ListedFile(child, root);
      if (file.hidden()) {
        continue;
      }
      if (child.isDirectory()) {
        walkLocal(fs, local, child, root, above, out);
      } else {
        out.add(file);
      }
    }
    above.remove(real);
  }

  /** Fails naming the first visible entry of {@code dir} that is a link to nothing. */
  private static void requireNoBrokenLinks(java.nio.file.Path dir, String[] names)
      throws IOException {
    Arrays.sort(names);
    for (String name : names) {
      java.nio.file.Path entry = dir.resolve(name);
      if (!isHidden(name) && Files.isSymbolicLink(entry) && !Files.exists(entry)) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot read input: %s is a symbolic link to %s, which does not exist (restore"
                    + " what it points to, or remove the link)",
                entry, Files.readSymbolicLink(entry)));
      }
    }
  }

  /**
   * Fails when two listed paths are one local file (a symbolic link to a file or folder listed
   * already): its rows would be scored twice. The same path twice is left to the caller's check,
   * which names the input.
   */
  private static void requireDistinctLocalFiles(List<ListedFile> files, Configuration hadoop)
      throws IOException {
    Map<java.nio.file.Path, String> seen = new HashMap<>();
    for (ListedFile f : files) {
      Path path = f.status().getPath();
      Optional<RawLocalFileSystem> local = localFileSystem(path.getFileSystem(hadoop));
      if (local.isEmpty()) {
        continue;
      }
      java.nio.file.Path real = local.get().pathToFile(path).toPath().toRealPath();
      String before = seen.putIfAbsent(real, f.path());
      if (before != null && !before.equals(f.path())) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot read input: %s and %s are one file (%s), reached through a symbolic link;"
                    + " its rows would be scored twice (remove the link, or name one of the paths)",
                before, f.path(), real));
      }
    }
  }

  private static Optional<RawLocalFileSystem> localFileSystem(FileSystem fs) {
    FileSystem raw = fs instanceof LocalFileSystem checked ? checked.getRaw() : fs;
    return raw instanceof RawLocalFileSystem local ? Optional.of(local) : Optional.empty();
  }

  /** Spark's rule for names its file sources skip. */
  public static boolean isHiddenName(String name) {
    return isHidden(name);
  }

  static boolean isHidden(String name) {
    return (name.startsWith("_") && !name.contains("="))
        || name.startsWith(".")
        || name.endsWith("._COPYING_");
  }

  /**
   * The qualified folder or file an input names, or for a glob its folder before the first
   * wildcard: what its labels and hidden names are taken below.
   */
  public static Path root(String input, Configuration hadoop) throws IOException {
    Path given = new Path(input);
    Path qualified = given.getFileSystem(hadoop).makeQualified(given);
    return isGlob(input) ? folderBeforeWildcards(qualified) : qualified;
  }

  private static boolean isGlob(String input) {
    return input.chars().anyMatch(c -> GLOB_CHARACTERS.indexOf(c) >= 0);
  }

  private static Path folderBeforeWildcards(Path glob) {
    Path p = glob;
    while (p.getParent() != null && isGlob(p.toString())) {
      p = p.getParent();
    }
    return p;
  }
}
