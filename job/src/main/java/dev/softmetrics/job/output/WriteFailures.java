package dev.softmetrics.job.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a failure to write into the output folder into one line that names the folder, the cause
 * the user can act on (no space left, not writable) and what to do. The cause is looked for in the
 * whole chain, since Spark wraps a task's failure ({@code TASK_WRITE_FAILED}) and Hadoop's local
 * file system turns a write's {@code IOException} into an {@code FSError}. It is not the input's
 * fault, so the result is an {@link IllegalStateException}: exit status 1.
 */
public final class WriteFailures {
  private WriteFailures() {}

  /**
   * What to throw for {@code error}, raised while writing {@code folder}: the one line for a known
   * cause; else {@code error} itself when unchecked, or wrapped with the folder named.
   */
  public static RuntimeException explain(Throwable error, String folder) {
    Optional<IllegalStateException> known = known(error, folder);
    if (known.isPresent()) {
      return known.get();
    }
    if (error instanceof RuntimeException unchecked) {
      return unchecked;
    }
    String line = "Cannot write " + folder + ": " + firstLine(error);
    return error instanceof IOException io
        ? new UncheckedIOException(line, io)
        : new IllegalStateException(line, error);
  }

  /**
   * The one line for a cause the user can act on, if {@code error}'s chain holds one. A read-only
   * target is named by the deepest exception that says so: a task's failure reaches the driver
   * wrapped in Spark's exception, whose message repeats the task's whole error on its first line.
   */
  public static Optional<IllegalStateException> known(Throwable error, String folder) {
    Throwable readOnly = null;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("no space left") || message.contains("disk quota exceeded")) {
        return Optional.of(
            new IllegalStateException(
                String.format(
                    "Cannot write %s: no space left on device (free space there and run again;"
                        + " the next run completes or discards what this one left)",
                    folder),
                error));
      }
      if (t instanceof AccessDeniedException
          || t instanceof ReadOnlyFileSystemException
          || t instanceof org.apache.hadoop.security.AccessControlException
          || message.contains("read-only file system")
          || message.contains("permission denied")) {
        readOnly = t;
      }
    }
    if (readOnly == null) {
      return Optional.empty();
    }
    return Optional.of(
        new IllegalStateException(
            String.format(
                "Cannot write %s: it is read-only or not writable: %s (make it writable or"
                    + " choose another --output)",
                folder, firstLine(readOnly)),
            error));
  }

  private static String firstLine(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
