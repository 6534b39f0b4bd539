package dev.softmetrics.job.query;

/** How {@code sql} prints a query's rows, whichever engine ran it. */
public enum ResultFormat {
  /** An aligned table for people, at most {@code --max-rows} rows. */
  TABLE,
  /** CSV with a header, empty for null. */
  CSV,
  /** One JSON object per row, nulls kept. */
  JSON
}
