package dev.softmetrics.job.score.batch;

/** The failure that {@code validation.on-bad-row = fail} stops a run with. */
public final class BadRows {
  private BadRows() {}

  /** The error for the first bad row: its reason code and message, which name file and row. */
  public static IllegalArgumentException stop(String reason, String message) {
    return new IllegalArgumentException(
        "Bad row ("
            + reason
            + "), and validation.on-bad-row = fail stops the run at the first one: "
            + message
            + ". Set validation.on-bad-row = reject to write bad rows to rejected/ instead");
  }
}
