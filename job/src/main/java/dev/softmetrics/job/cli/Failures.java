package dev.softmetrics.job.cli;

import dev.softmetrics.job.config.HadoopConnectors;

/**
 * Turns whatever stopped a run into the one line the CLI prints on stderr: the deepest message that
 * speaks to the user (bad input first), not a Spark stack trace. A file system whose connector is
 * not on the class path ({@code s3a://} without hadoop-aws) is a setup mistake: status 2, with the
 * library to add.
 */
public final class Failures {
  private Failures() {}

  /** Exit status for bad input or usage. */
  static final int BAD_INPUT = 2;

  /** Exit status for any other failure. */
  static final int FAILED = 1;

  public static int exitCode(Throwable error) {
    boolean setupMistake = HadoopConnectors.missingScheme(error) != null;
    return badInput(error) != null || setupMistake ? BAD_INPUT : FAILED;
  }

  public static String line(Throwable error) {
    String scheme = badInput(error) == null ? HadoopConnectors.missingScheme(error) : null;
    if (scheme != null) {
      return String.format(
          "softmetrics: error: Cannot use %s:// paths: %s",
          scheme, HadoopConnectors.missing(scheme));
    }
    Throwable cause = badInput(error);
    Throwable shown = cause != null ? cause : error;
    String message = shown.getMessage();
    if (message == null || message.isBlank()) {
      message = shown.getClass().getName();
    }
    int nl = message.indexOf('\n');
    return "softmetrics: error: " + (nl < 0 ? message : message.substring(0, nl));
  }

  private static Throwable badInput(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
