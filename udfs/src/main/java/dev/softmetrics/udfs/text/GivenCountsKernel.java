package dev.softmetrics.udfs.text;

import dev.softmetrics.udfs.Rejection;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;

/**
 * Checks the counts a row gives ({@code num_bytes}, {@code num_chars}, {@code num_words}): that
 * some text could have them ({@link #validate}), and, beside a text, that they are the text's own
 * counts (from {@link TextCountKernel}). A row that ships both must ship the same figures: when
 * they differ, one of them is not the scored text, and bits-per-byte would be computed over the
 * wrong length.
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

  /**
   * Why given counts are impossible for any text: every UTF-8 text has {@code bytes >= 0}, {@code
   * chars >= 0}, {@code chars <= bytes <= 4 x chars} (a code point takes 1 to 4 bytes) and {@code
   * words >= 1} (the empty text has 1 word).
   */
  public enum Violation {
    /** {@code num_bytes < 0}. */
    NEGATIVE_BYTES(Count.BYTES),
    /** {@code num_chars < 0}. */
    NEGATIVE_CHARS(Count.CHARS),
    /** {@code num_words < 1}. */
    NO_WORDS(Count.WORDS),
    /** {@code num_chars > num_bytes}. */
    CHARS_ABOVE_BYTES(Count.CHARS),
    /** {@code num_bytes > 4 x num_chars}. */
    BYTES_ABOVE_FOUR_CHARS(Count.BYTES);

    private final Count count;

    Violation(Count count) {
      this.count = count;
    }

    /**
     * The count whose value breaks the rule. Cost: O(1).
     *
     * @return the count to name in a message
     */
    public Count count() {
      return count;
    }
  }

  private static final Count[] COUNTS = Count.values();

  /**
   * Sets {@code status[i]} to {@link Rejection#INVALID_GIVEN_COUNT} for each row {@code i} whose
   * given counts no text can have ({@link Violation}).
   *
   * <p>Null handling: a null count (or an absent column) is unknown and breaks no rule; the rules
   * between two counts apply where both are present. A non-zero {@code status[i]} already set by an
   * earlier kernel is kept (the first reason wins).
   *
   * <p>Ownership: the caller owns every vector; only {@code status} is written, in place. Nothing
   * is retained.
   *
   * <p>Cost: O(n), a few comparisons per row, no allocation.
   *
   * @param given the counts the input ships
   * @param status input and output: {@link Rejection#SCORED} or a {@link Rejection#id()}, one value
   *     per row
   * @throws IllegalArgumentException if a count vector has another value count than {@code status}
   */
  public static void validate(Counts given, IntVector status) {
    int n = status.getValueCount();
    for (Count count : COUNTS) {
      BigIntVector values = given.of(count);
      if (values != null && values.getValueCount() != n) {
        throw new IllegalArgumentException(
            String.format(
                "Invalid count vector %s: %d values (must have the %d values of %s)",
                values.getName(), values.getValueCount(), n, status.getName()));
      }
    }
    for (int i = 0; i < n; i++) {
      if (status.get(i) == Rejection.SCORED && firstViolation(given, i) != null) {
        status.set(i, Rejection.INVALID_GIVEN_COUNT.id());
      }
    }
  }

  /**
   * The first rule of {@link Violation} (in its order) that row {@code row}'s given counts break.
   * Cost: O(1).
   *
   * @param given the counts the input ships
   * @param row the row
   * @return the rule broken, or null when the counts could be a text's
   */
  public static Violation firstViolation(Counts given, int row) {
    boolean hasBytes = present(given.bytes(), row);
    boolean hasChars = present(given.chars(), row);
    long bytes = hasBytes ? given.bytes().get(row) : 0;
    long chars = hasChars ? given.chars().get(row) : 0;
    if (bytes < 0) {
      return Violation.NEGATIVE_BYTES;
    }
    if (chars < 0) {
      return Violation.NEGATIVE_CHARS;
    }
    if (present(given.words(), row) && given.words().get(row) < 1) {
      return Violation.NO_WORDS;
    }
    if (hasBytes && hasChars) {
      if (chars > bytes) {
        return Violation.CHARS_ABOVE_BYTES;
      }
      // 4 x chars overflows only where it exceeds every long, so bytes cannot exceed it.
      if (chars <= Long.MAX_VALUE / 4 && bytes > 4 * chars) {
        return Violation.BYTES_ABOVE_FOUR_CHARS;
      }
    }
    return null;
  }

  private static boolean present(BigIntVector counts, int row) {
    return counts != null && !counts.isNull(row);
  }

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
