package dev.softmetrics.udfs.text;

import dev.softmetrics.udfs.Rejection;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Checks that each text is well-formed UTF-8 as RFC 3629 defines it (the Unicode standard's table
 * 3-7): a byte below 0x80 alone; C2-DF then one continuation byte (80-BF); E0 A0-BF, E1-EC or EE-EF
 * 80-BF, ED 80-9F, then one continuation byte; F0 90-BF, F1-F3 80-BF, F4 80-8F, then two
 * continuation bytes. So overlong forms (C0, C1, E0 80-9F, F0 80-8F), surrogates (ED A0-BF), code
 * points above U+10FFFF (F4 90-BF, F5-FF), truncated sequences and stray continuation bytes are all
 * invalid.
 *
 * <p>Parquet does not check that a string column holds UTF-8, and {@link TextCountKernel} counts
 * any bytes: a text that is not UTF-8 would feed bits-per-char a count of something that is not
 * characters, so such a row is rejected instead.
 *
 * <p>An invalid sequence is reported by the offset of its first byte, as Python's and the JDK's
 * decoders do: for {@code 61 ED A0 80} it is 1, for a truncated {@code F0 9F 98} at the end its
 * lead byte.
 */
public final class Utf8Validation {
  /** The value {@link #firstInvalidByte} returns for well-formed UTF-8. */
  public static final long VALID = -1;

  private static final long OFFSET_WIDTH = VarCharVector.OFFSET_WIDTH;
  private static final long HIGHS = 0x8080808080808080L;

  private Utf8Validation() {}

  /**
   * Sets {@code status[i]} to {@link Rejection#INVALID_UTF8} for each row {@code i} whose text is
   * not well-formed UTF-8.
   *
   * <p>Null handling: a null text is valid here (whether a row needs text is another rule). A
   * non-zero {@code status[i]} already set by an earlier kernel is kept (the first reason wins),
   * and that row's text is not read.
   *
   * <p>Ownership: the caller owns both vectors; only {@code status} is written, in place. Nothing
   * is retained.
   *
   * <p>Cost: one pass over each row's bytes, eight bytes at a time while they are ASCII, one byte
   * at a time otherwise; O(n + total bytes), no allocation.
   *
   * @param text the texts
   * @param status input and output: {@link Rejection#SCORED} or a {@link Rejection#id()}, one value
   *     per row of {@code text}
   * @throws IllegalArgumentException if {@code status} has another value count than {@code text}
   */
  public static void apply(VarCharVector text, IntVector status) {
    int n = text.getValueCount();
    if (status.getValueCount() != n) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid status vector %s: %d values (must have the %d values of %s)",
              status.getName(), status.getValueCount(), n, text.getName()));
    }
    for (int i = 0; i < n; i++) {
      if (status.get(i) == Rejection.SCORED && firstInvalidByte(text, i) != VALID) {
        status.set(i, Rejection.INVALID_UTF8.id());
      }
    }
  }

  /**
   * The offset, within row {@code row}'s text, of the first byte of its first ill-formed sequence.
   * Cost: O(bytes of the row), no allocation.
   *
   * @param text the texts
   * @param row the row
   * @return the offset from the start of the row's text, or {@link #VALID} when the text is
   *     well-formed UTF-8 or null
   */
  public static long firstInvalidByte(VarCharVector text, int row) {
    if (text.isNull(row)) {
      return VALID;
    }
    ArrowBuf offsets = text.getOffsetBuffer();
    long start = offsets.getInt(row * OFFSET_WIDTH);
    long end = offsets.getInt((row + 1) * OFFSET_WIDTH);
    return firstInvalidByte(text.getDataBuffer(), start, end);
  }

  /**
   * The offset, from {@code start}, of the first byte of the first ill-formed UTF-8 sequence in the
   * bytes {@code [start, end)} of {@code buf}. Ownership: reads the caller's buffer, retains
   * nothing. Cost: O(end - start), no allocation.
   *
   * @param buf the buffer
   * @param start the first byte, inclusive
   * @param end the last byte, exclusive
   * @return the offset from {@code start}, or {@link #VALID} when the bytes are well-formed
   * @throws IllegalArgumentException if the range does not lie within the buffer
   */
  public static long firstInvalidByte(ArrowBuf buf, long start, long end) {
    if (start < 0 || end < start || end > buf.capacity()) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid byte range: [%d, %d) (must lie within the buffer's [0, %d))",
              start, end, buf.capacity()));
    }
    return firstInvalidAt(buf.memoryAddress() + start, end - start);
  }

  private static long firstInvalidAt(long address, long length) {
    long p = 0;
    while (p < length) {
      while (p + Long.BYTES <= length && (MemoryUtil.getLong(address + p) & HIGHS) == 0) {
        p += Long.BYTES;
      }
      if (p == length) {
        break;
      }
      int lead = MemoryUtil.getByte(address + p) & 0xFF;
      int size = lead < 0x80 ? 1 : sequenceLength(address, p, length, lead);
      if (size == 0) {
        return p;
      }
      p += size;
    }
    return VALID;
  }

  /** The length of the well-formed sequence that starts with {@code lead} (>= 0x80), or 0. */
  private static int sequenceLength(long address, long p, long length, int lead) {
    if (lead < 0xC2 || lead > 0xF4) {
      return 0;
    }
    int size = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (p + size > length) {
      return 0;
    }
    // The second byte's range is narrower after E0 (overlong), ED (surrogates), F0 (overlong) and
    // F4 (above U+10FFFF).
    int second = MemoryUtil.getByte(address + p + 1) & 0xFF;
    int low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
    int high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
    if (second < low || second > high) {
      return 0;
    }
    for (int k = 2; k < size; k++) {
      if ((MemoryUtil.getByte(address + p + k) & 0xC0) != 0x80) {
        return 0;
      }
    }
    return size;
  }
}
