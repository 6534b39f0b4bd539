package dev.softmetrics.job.config;

import java.util.Locale;

/**
 * Which Parquet reader feeds the kernels ({@code read.engine}). Both produce the same tables.
 *
 * <ul>
 *   <li>{@code auto}: Arrow's native reader when every input file is on the local file system and
 *       the native library loads here, otherwise Spark's;
 *   <li>{@code arrow}: Arrow's native reader, or an error saying why it cannot be used;
 *   <li>{@code spark}: Spark's vectorized reader, for any Hadoop URI.
 * </ul>
 */
public enum ReadEngine {
  AUTO,
  ARROW,
  SPARK;

  /** Parses {@code auto}, {@code arrow} or {@code spark}, in any case. */
  public static ReadEngine parse(String value) {
    for (ReadEngine engine : values()) {
      if (engine.name().equalsIgnoreCase(value.trim())) {
        return engine;
      }
    }
    throw new IllegalArgumentException(
        String.format("Invalid read.engine: %s (must be auto, arrow or spark)", value));
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
