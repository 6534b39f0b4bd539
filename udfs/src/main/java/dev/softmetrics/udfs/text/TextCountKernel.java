package dev.softmetrics.udfs.text;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Counts the UTF-8 bytes, Unicode code points and words of each text, straight from the UTF-8
 * bytes, without decoding to {@link String}.
 *
 * <ul>
 *   <li>bytes: the UTF-8 byte length;
 *   <li>chars: the code points, counted as the bytes that are not continuation bytes ({@code (b &
 *       0xC0) != 0x80}); Java's {@code String.length()} counts UTF-16 units instead. Malformed
 *       UTF-8 is counted by the same rule: a stray continuation byte counts nothing, a lead byte
 *       (or any other byte) counts one;
 *   <li>words: the lm-evaluation-harness rule, Python 3 {@code len(re.split(r"\s+", text))}, that
 *       is 1 + the number of maximal runs of whitespace, so {@code " a b "} has 4 words and {@code
 *       ""} has 1. Whitespace is Python's {@code \s} for str patterns: U+0009-U+000D,
 *       U+001C-U+001F, U+0020, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
 *       U+205F, U+3000 (not U+200B, U+180E or U+FEFF, and not Java's {@code \s}). A whitespace code
 *       point is recognised only by its complete, shortest UTF-8 encoding.
 * </ul>
 */
public final class TextCountKernel {

  private static final long OFFSET_WIDTH = VarCharVector.OFFSET_WIDTH;

  /** Bit {@code b} is set for each ASCII byte {@code b < 64} that Python's {@code \s} matches. */
  private static final long ASCII_WHITESPACE =
      (0x1FL << 0x09) // U+0009-U+000D
          | (0xFL << 0x1C) // U+001C-U+001F
          | (1L << 0x20); // U+0020

  private TextCountKernel() {}

  /**
   * Writes the UTF-8 byte, code point and word counts of each row {@code i} in {@code [0,
   * text.getValueCount())}.
   *
   * <p>Null handling: a null text gives null in all three outputs; an empty text gives 0 bytes, 0
   * chars and 1 word.
   *
   * <p>Ownership: the caller owns and allocates every vector; outputs are written with {@code
   * setSafe}/{@code setNull} (so they may grow) and get value count {@code n}. Nothing is retained.
   *
   * <p>Cost: two passes over each row's bytes in the data buffer, eight bytes at a time where no
   * byte can start a whitespace code point, O(n + total bytes), no allocation per row.
   *
   * @param text the scored text, UTF-8
   * @param bytes output: UTF-8 byte length
   * @param chars output: Unicode code points
   * @param words output: whitespace-separated pieces, as lm-evaluation-harness counts them
   */
  public static void apply(
      VarCharVector text, BigIntVector bytes, BigIntVector chars, BigIntVector words) {
    int n = text.getValueCount();
    ArrowBuf offsets = text.getOffsetBuffer();
    ArrowBuf data = text.getDataBuffer();
    if (n > 0) {
      checkRange(data, offsets.getInt(0), offsets.getInt((long) n * OFFSET_WIDTH));
    }
    long base = data.memoryAddress();
    for (int i = 0; i < n; i++) {
      if (text.isNull(i)) {
        bytes.setNull(i);
        chars.setNull(i);
        words.setNull(i);
      } else {
        long start = offsets.getInt(i * OFFSET_WIDTH);
        long end = offsets.getInt((i + 1) * OFFSET_WIDTH);
        bytes.setSafe(i, end - start);
        chars.setSafe(i, codePointsAt(base + start, end - start));
        words.setSafe(i, wordsAt(base + start, end - start));
      }
    }
    bytes.setValueCount(n);
    chars.setValueCount(n);
    words.setValueCount(n);
  }

  /**
   * The Unicode code points in the UTF-8 bytes {@code [start, end)} of {@code buf}: the bytes with
   * {@code (b & 0xC0) != 0x80}. Ownership: reads the caller's buffer, retains nothing. Cost: O(end
   * - start), no allocation beyond a constant.
   *
   * @param buf the buffer holding UTF-8
   * @param start the first byte, inclusive
   * @param end the last byte, exclusive
   * @return the number of code points
   * @throws IllegalArgumentException if the range does not lie within the buffer
   */
  public static long codePoints(ArrowBuf buf, long start, long end) {
    checkRange(buf, start, end);
    return codePointsAt(buf.memoryAddress() + start, end - start);
  }

  /**
   * The words in the UTF-8 bytes {@code [start, end)} of {@code buf}: 1 + the number of maximal
   * runs of Python {@code \s} whitespace (see the class comment). Ownership: reads the caller's
   * buffer, retains nothing. Cost: O(end - start), no allocation beyond a constant.
   *
   * @param buf the buffer holding UTF-8
   * @param start the first byte, inclusive
   * @param end the last byte, exclusive
   * @return the number of words, at least 1
   * @throws IllegalArgumentException if the range does not lie within the buffer
   */
  public static long words(ArrowBuf buf, long start, long end) {
    checkRange(buf, start, end);
    return wordsAt(buf.memoryAddress() + start, end - start);
  }

  /**
   * The Unicode code points of {@code s}, counted on its UTF-8 encoding by the same rule as {@link
   * #apply}; equals {@code s.codePointCount(0, s.length())} for well-formed strings. Cost:
   * O(length) and one byte array for the encoding.
   *
   * @param s the text; not null
   * @return the number of code points
   */
  public static long codePoints(String s) {
    ByteBuffer utf8 = direct(s);
    try {
      return codePointsAt(MemoryUtil.getByteBufferAddress(utf8), utf8.capacity());
    } finally {
      Reference.reachabilityFence(utf8);
    }
  }

  /**
   * The UTF-8 byte length of {@code s}. Cost: O(length) and one byte array for the encoding.
   *
   * @param s the text; not null
   * @return the number of bytes
   */
  public static long utf8Bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * The words of {@code s}, counted on its UTF-8 encoding by the same rule as {@link #apply}: 1 +
   * the number of maximal runs of Python {@code \s} whitespace. Cost: O(length) and one byte array
   * for the encoding.
   *
   * @param s the text; not null
   * @return the number of words, at least 1
   */
  public static long words(String s) {
    ByteBuffer utf8 = direct(s);
    try {
      return wordsAt(MemoryUtil.getByteBufferAddress(utf8), utf8.capacity());
    } finally {
      Reference.reachabilityFence(utf8);
    }
  }

  private static ByteBuffer direct(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocateDirect(utf8.length);
    buffer.put(utf8);
    return buffer;
  }

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /** Code points in {@code [address, address + length)}: all bytes minus the continuation bytes. */
  private static long codePointsAt(long address, long length) {
    long continuation = 0;
    long p = 0;
    for (; p + Long.BYTES <= length; p += Long.BYTES) {
      long w = MemoryUtil.getLong(address + p);
      // A continuation byte is 10xxxxxx: bit 7 set and bit 6 (shifted up into bit 7) clear.
      continuation += Long.bitCount(w & ~(w << 1) & HIGHS);
    }
    for (; p < length; p++) {
      if ((MemoryUtil.getByte(address + p) & 0xC0) == 0x80) {
        continuation++;
      }
    }
    return length - continuation;
  }

  /**
   * Words in {@code [address, address + length)}. Eight bytes at a time while none of them can
   * start a whitespace code point (none is at most 0x20, none is 0xC2 or 0xE0-0xE3): such a block
   * is all non-whitespace and ends any run. Otherwise one code point at a time.
   */
  private static long wordsAt(long address, long length) {
    long runs = 0;
    boolean inRun = false;
    long p = 0;
    while (p < length) {
      if (p + Long.BYTES <= length) {
        long w = MemoryUtil.getLong(address + p);
        if (!mayStartWhitespace(w)) {
          inRun = false;
          p += Long.BYTES;
          continue;
        }
      }
      int width = whitespaceWidth(address, p, length);
      if (width == 0) {
        inRun = false;
        p++;
      } else {
        if (!inRun) {
          runs++;
          inRun = true;
        }
        p += width;
      }
    }
    return runs + 1;
  }

  /**
   * True if some byte of {@code w} is at most 0x20, or 0xC2, or in 0xE0-0xE3 (false positives
   * allowed).
   */
  private static boolean mayStartWhitespace(long w) {
    long low = (w - 0x21 * ONES) & ~w & HIGHS;
    long c2 = w ^ (0xC2 * ONES);
    long e0 = (w & (0xFC * ONES)) ^ (0xE0 * ONES);
    return (low | hasZeroByte(c2) | hasZeroByte(e0)) != 0;
  }

  private static long hasZeroByte(long v) {
    return (v - ONES) & ~v & HIGHS;
  }

  /**
   * The UTF-8 length of the whitespace code point starting at {@code p}, or 0 if none starts there.
   * Non-whitespace advances one byte at a time; that is safe because no continuation byte
   * (0x80-0xBF) is a lead byte of a whitespace code point.
   */
  private static int whitespaceWidth(long address, long p, long end) {
    int b0 = byteAt(address, p);
    if (b0 < 0x40) {
      return (int) ((ASCII_WHITESPACE >>> b0) & 1);
    }
    switch (b0) {
      case 0xC2: // U+0085 = C2 85, U+00A0 = C2 A0
        {
          int b1 = p + 1 < end ? byteAt(address, p + 1) : 0;
          return b1 == 0x85 || b1 == 0xA0 ? 2 : 0;
        }
      case 0xE1: // U+1680 = E1 9A 80
        return threeBytes(address, p, end, 0x9A, 0x80);
      case 0xE2:
        return generalPunctuationWidth(address, p, end);
      case 0xE3: // U+3000 = E3 80 80
        return threeBytes(address, p, end, 0x80, 0x80);
      default:
        return 0;
    }
  }

  /**
   * U+2000-U+200A = E2 80 80-8A; U+2028 = E2 80 A8; U+2029 = E2 80 A9; U+202F = E2 80 AF; U+205F =
   * E2 81 9F.
   */
  private static int generalPunctuationWidth(long address, long p, long end) {
    if (p + 2 >= end) {
      return 0;
    }
    int b1 = byteAt(address, p + 1);
    int b2 = byteAt(address, p + 2);
    if (b1 == 0x80) {
      boolean space = (b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF;
      return space ? 3 : 0;
    }
    return b1 == 0x81 && b2 == 0x9F ? 3 : 0;
  }

  private static int threeBytes(long address, long p, long end, int b1, int b2) {
    if (p + 2 >= end) {
      return 0;
    }
    return byteAt(address, p + 1) == b1 && byteAt(address, p + 2) == b2 ? 3 : 0;
  }

  private static int byteAt(long address, long p) {
    return MemoryUtil.getByte(address + p) & 0xFF;
  }

  private static void checkRange(ArrowBuf buf, long start, long end) {
    if (start < 0 || end < start || end > buf.capacity()) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid byte range: [%d, %d) (must lie within the buffer's [0, %d))",
              start, end, buf.capacity()));
    }
  }
}
