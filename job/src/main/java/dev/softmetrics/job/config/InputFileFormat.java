package dev.softmetrics.job.config;

import java.util.List;
import java.util.Locale;

/**
 * How the input files are encoded: Parquet or JSON Lines, or {@code auto} to tell them by name
 * ({@code .jsonl}, {@code .json}, optionally followed by {@code .gz}, are JSON Lines; any other
 * name is Parquet).
 */
public enum InputFileFormat {
  AUTO,
  PARQUET,
  JSONL;

  private static final List<String> JSON_LINES_ENDINGS =
      List.of(".jsonl", ".json", ".jsonl.gz", ".json.gz");

  /** Parses {@code auto}, {@code parquet} or {@code jsonl}, in any case. */
  public static InputFileFormat parse(String value) {
    for (InputFileFormat format : values()) {
      if (format.name().equalsIgnoreCase(value.trim())) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        String.format(
            "Invalid read.input-format: %s (must be auto, parquet or jsonl)", value.trim()));
  }

  /** The format of the file named {@code name}: this one, or under {@code auto} the name's. */
  public InputFileFormat of(String name) {
    if (this != AUTO) {
      return this;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return JSON_LINES_ENDINGS.stream().anyMatch(lower::endsWith) ? JSONL : PARQUET;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
