package dev.softmetrics.job.score;

import dev.softmetrics.job.io.InputListing;
import dev.softmetrics.job.tables.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Where the output folder may be, given the inputs. Inputs are read at any depth, so an output
 * folder inside an input (not behind a hidden name) would be read back as input by the next run,
 * its tables scored as shards; and an input inside one of the output's tables is a table the run
 * itself replaces. Both are refused before anything is read or written. An input beside the tables
 * ({@code DIR/input/}, as the demo lays it out) is fine.
 */
public final class OutputPlacement {
  private OutputPlacement() {}

  /**
   * @throws IllegalArgumentException naming the input and the output when they overlap as above
   */
  public static void check(Configuration hadoop, List<String> inputs, String output) {
    try {
      Path out = InputListing.root(output, hadoop);
      for (String input : inputs) {
        Path root = InputListing.root(input, hadoop);
        if (readBelow(root, out)) {
          throw new IllegalArgumentException(
              String.format(
                  "Invalid --output: %s is inside --input %s, so its tables would be read as input"
                      + " (use an --output outside the input, or one whose name starts with _)",
                  output, input));
        }
        for (String table : Tables.FOLDERS) {
          if (within(root, new Path(out, table))) {
            throw new IllegalArgumentException(
                String.format(
                    "Invalid --input: %s is inside the output's %s/ folder, which the run"
                        + " replaces (score the shards from where they were exported)",
                    input, table));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot resolve " + output + ": " + e.getMessage(), e);
    }
  }

  /** True when {@code path} is {@code root} or below it with no hidden name in between. */
  private static boolean readBelow(Path root, Path path) {
    for (Path p = path; p != null; p = p.getParent()) {
      if (p.equals(root)) {
        return true;
      }
      if (InputListing.isHiddenName(p.getName())) {
        return false;
      }
    }
    return false;
  }

  /** True when {@code path} is {@code folder} or below it. */
  private static boolean within(Path path, Path folder) {
    for (Path p = path; p != null; p = p.getParent()) {
      if (p.equals(folder)) {
        return true;
      }
    }
    return false;
  }
}
