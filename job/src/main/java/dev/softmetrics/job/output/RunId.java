package dev.softmetrics.job.output;

import java.util.regex.Pattern;

/**
 * The rules of a run id, and its spelling as a folder name.
 *
 * <p>A run id names a folder under {@code DIR/_staging/}, so it must never be a path: only {@code
 * A-Z a-z 0-9 . _ : + -}, 1 to 128 characters, and not {@code .} or {@code ..}. Schedulers' ids
 * such as Airflow's {@code scheduled__2026-11-25T00:00:00+00:00} pass; in a folder name {@code :}
 * would make Hadoop read a scheme, so {@code :}, {@code +} and {@code %} are percent-encoded there,
 * which {@link #fromFolderName} undoes.
 */
public final class RunId {
  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._:+-]{1,128}");

  private RunId() {}

  /**
   * Returns {@code id} when it is a valid run id.
   *
   * @throws IllegalArgumentException naming the value and the rule
   */
  public static String check(String id) {
    if (id == null || !ALLOWED.matcher(id).matches() || id.equals(".") || id.equals("..")) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid --run-id: %s (must be 1 to 128 of the characters A-Z a-z 0-9 . _ : + -,"
                  + " and not . or ..)",
              id == null ? "" : id.replace('\n', ' ')));
    }
    return id;
  }

  /** The folder name of a valid run id: {@code %}, {@code :} and {@code +} percent-encoded. */
  public static String folderName(String id) {
    return check(id).replace("%", "%25").replace(":", "%3A").replace("+", "%2B");
  }

  /** The run id a folder name of {@link #folderName} spells. */
  public static String fromFolderName(String name) {
    return name.replace("%3A", ":").replace("%2B", "+").replace("%25", "%");
  }
}
