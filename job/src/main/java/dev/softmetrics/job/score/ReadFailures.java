package dev.softmetrics.job.score;

import org.apache.spark.SparkThrowable;

/**
 * Recognises, in whatever a Spark job threw, the failure of its scan to read one input file ({@code
 * FAILED_READ_FILE}): a file whose footer read fine before the run but whose data does not.
 */
final class ReadFailures {
  private ReadFailures() {}

  private static final String CONDITION = "FAILED_READ_FILE";

  /**
   * The file the scan could not read (as the scan spells it), or null when that is not the case.
   */
  static String file(Throwable error) {
    SparkThrowable failure = find(error);
    return failure == null ? null : failure.getMessageParameters().get("path");
  }

  /** What went wrong reading it: the first line of the reader's own error. */
  static String cause(Throwable error) {
    SparkThrowable failure = find(error);
    Throwable reader = failure == null ? null : ((Throwable) failure).getCause();
    Throwable shown = reader != null ? reader : error;
    String message = shown.getMessage() == null ? shown.getClass().getName() : shown.getMessage();
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  private static SparkThrowable find(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SparkThrowable s
          && s.getCondition() != null
          && s.getCondition().startsWith(CONDITION)
          && s.getMessageParameters().containsKey("path")) {
        return s;
      }
    }
    return null;
  }
}
