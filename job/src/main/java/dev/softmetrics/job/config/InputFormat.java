package dev.softmetrics.job.config;

import java.util.Locale;

/** The input layouts of CONTRACT.md, and {@code auto} to detect one from the columns. */
public enum InputFormat {
  AUTO,
  LOGPROBS,
  LOGITS;

  /** Parses {@code auto}, {@code logprobs} or {@code logits}, in any case. */
  public static InputFormat parse(String value) {
    for (InputFormat format : values()) {
      if (format.name().equalsIgnoreCase(value.trim())) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        String.format("Invalid format: %s (must be auto, logprobs or logits)", value));
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
