package dev.softmetrics.udfs.logits;

import java.util.Locale;

/** The element types of a binary {@code logits} blob ({@code logits_dtype}), little-endian. */
public enum LogitsDtype {
  FLOAT32(4),
  FLOAT16(2),
  BFLOAT16(2);

  private final int bytes;

  LogitsDtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /**
   * Parses {@code float32}, {@code float16} or {@code bfloat16} (case-insensitive; {@code fp32},
   * {@code fp16}, {@code bf16}, {@code half} as the usual aliases).
   *
   * @throws IllegalArgumentException for any other name
   */
  public static LogitsDtype parse(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "float32", "fp32", "float" -> FLOAT32;
      case "float16", "fp16", "half" -> FLOAT16;
      case "bfloat16", "bf16" -> BFLOAT16;
      default ->
          throw new IllegalArgumentException(
              String.format(
                  "Invalid logits_dtype: %s (must be float32, float16 or bfloat16)", name));
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
