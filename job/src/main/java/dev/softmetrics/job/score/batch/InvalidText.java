package dev.softmetrics.job.score.batch;

import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.text.Utf8Validation;
import org.apache.arrow.vector.VarCharVector;

/** The message of a row whose text is not UTF-8: where it goes wrong, as bytes, never as text. */
final class InvalidText {
  /** Bytes shown from the first bad one; enough for any UTF-8 sequence. */
  private static final int BYTES_SHOWN = 4;

  private InvalidText() {}

  /** The message of a row rejected as {@link Rejection#INVALID_UTF8}. */
  static String message(VarCharVector text, int row, String column, String where) {
    long offset = Utf8Validation.firstInvalidByte(text, row);
    if (offset == Utf8Validation.VALID) {
      throw new IllegalStateException("Row " + where + " was rejected, but its text is UTF-8");
    }
    byte[] bytes = text.get(row);
    StringBuilder shown = new StringBuilder();
    int end = (int) Math.min(bytes.length, offset + BYTES_SHOWN);
    for (int i = (int) offset; i < end; i++) {
      shown.append(i == offset ? "" : " ").append(String.format("0x%02X", bytes[i] & 0xFF));
    }
    return "Invalid "
        + column
        + " in "
        + where
        + ": "
        + column
        + " is not valid UTF-8 at byte offset "
        + offset
        + " ("
        + shown
        + (end < bytes.length ? "..." : "")
        + ") ("
        + Rejection.INVALID_UTF8.rule()
        + ")";
  }
}
