package dev.softmetrics.udfs.text;

import dev.softmetrics.udfs.Rejection;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;

/**
 * Checks the counts a row gives beside its text ({@code num_bytes}, {@code num_chars}, {@code
 * num_words}) against the counts of the text itself (from {@link TextCountKernel}). A row that
 * ships both must ship the same figures: when they differ, one of them is not the scored text, and
 * bits-per-byte would be computed over the wrong length.
 */
public final class GivenCountsKernel {

  private GivenCountsKernel() {}

  /** Which of the three counts. */
  public enum Count {
    BYTES,
    CHARS,
    WORDS
  }

  /**
   * The three counts of each row; a vector is null when the input has no such column.
   *
   * @param bytes UTF-8 bytes
   * @param chars Unicode code points
   * @param words lm-evaluation-harness words
   */
  public record Counts(BigIntVector bytes, BigIntVector chars, BigIntVector words) {

    /**
     * The vector of one count. Cost: O(1).
     *
     * @param count which count
     * @return its vector, or null when absent
     */
    public BigIntVector of(Count count) {
      return switch (count) {
        case BYTES -> bytes;
        case CHARS -> chars;
        case WORDS -> words;
      };
    }
  }

  private static final Count[] COUNTS = Count.values();

  /**
   * Sets {@code status[i]} to {@link Rejection#TEXT_COUNT_MISMATCH} for each row {@code i} whose
   * given count differs from its text's count, for any of the three counts.
   *
   * <p>Null handling: a count is compared only where both the text's count (null when the text is
   * null) and the given count (null when the column is absent or the value null) are present. A
   * non-zero {@code status[i]} already set by an earlier kernel is kept (the first reason wins).
   *
   * <p>Ownership: the caller owns every vector; only {@code status} is written, in place. Nothing
   * is retained.
   *
   * <p>Cost: O(n), at most three comparisons per row, no allocation.
   *
   * @param fromText the counts of the text
   * @param given the counts the input ships
   * @param status input and output: {@link Rejection#SCORED} or a {@link Rejection#id()}, one value
   *     per row of {@code fromText}
   * @throws IllegalArgumentException if {@code status} has another value count than {@code
   *     fromText.bytes()}
   */
  public static void apply(Counts fromText, Counts given, IntVector status) {
    int n = fromText.bytes().getValueCount();
    if (status.getValueCount() != n) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid status vector %s: %d values (must have the %d values of %s)",
              status.getName(), status.getValueCount(), n, fromText.bytes().getName()));
    }
    for (int i = 0; i < n; i++) {
      if (status.get(i) == Rejection.SCORED && firstMismatch(fromText, given, i) != null) {
        status.set(i, Rejection.TEXT_COUNT_MISMATCH.id());
      }
    }
  }

  /**
   * The first count (bytes, then chars, then words) in which row {@code row} disagrees with its
   * text, by the rules of {@link #apply}. Cost: O(1).
   *
   * @param fromText the counts of the text
   * @param given the counts the input ships
   * @param row the row
   * @return the count that disagrees, or null when they all agree (or cannot be compared)
   */
  public static Count firstMismatch(Counts fromText, Counts given, int row) {
    for (Count count : COUNTS) {
      BigIntVector text = fromText.of(count);
      BigIntVector shipped = given.of(count);
      if (text != null
          && shipped != null
          && !text.isNull(row)
          && !shipped.isNull(row)
          && text.get(row) != shipped.get(row)) {
        return count;
      }
    }
    return null;
  }
}
