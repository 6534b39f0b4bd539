package dev.softmetrics.job.query;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * The views {@code sql} registered over an output folder: each view's name and the qualified path
 * of the table folder it reads, the only folders a query may read.
 *
 * @param dir the output folder as the user gave it, for messages
 * @param folders each view's table folder, in the order of {@link OutputFolder#TABLES}
 */
public record OutputViews(String dir, Map<String, Path> folders) {

  /** The names of the views. */
  public List<String> names() {
    return List.copyOf(folders.keySet());
  }

  /** True when {@code path} (qualified) is one of the table folders or lies inside one. */
  boolean holds(Path path) {
    String p = path.toUri().normalize().toString();
    for (Path folder : folders.values()) {
      String f = folder.toUri().normalize().toString();
      if (p.equals(f) || p.startsWith(f.endsWith("/") ? f : f + "/")) {
        return true;
      }
    }
    return false;
  }
}
