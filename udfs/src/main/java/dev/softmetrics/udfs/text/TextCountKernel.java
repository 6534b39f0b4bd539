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
 *       UTF-8 is counted by the same rule (a stray continuation byte counts nothing, a lead byte or
 *       any other byte counts one), but such counts mean nothing: {@link Utf8Validation} finds
 *       those rows, and the job rejects them;
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
  private static final long LOWS = 0x7F7F7F7F7F7F7F7FL;

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
   * Words in {@code [address, address + length)}: 1 + the number of whitespace code points that
   * follow a code point that is not whitespace (or the start).
   *
   * <p>Eight bytes at a time, with masks holding one bit (the high bit) per byte: {@code starts}
   * marks the bytes where a whitespace code point starts (recognised by its complete, shortest
   * UTF-8 encoding, from this block and the next two bytes), {@code inside} every byte of such a
   * code point. A run starts where a code point starts whose previous byte is not inside one. The
   * last few bytes, too short for a block, go one at a time with the same rule.
   */
  private static long wordsAt(long address, long length) {
    long runs = 0;
    long previous = 0;
    long spill = 0;
    long p = 0;
    for (; p + Long.BYTES + 2 <= length; p += Long.BYTES) {
      long w = MemoryUtil.getLong(address + p);
      long starts;
      long inside;
      if ((w & HIGHS) == 0) {
        starts = asciiWhitespace(w);
        inside = starts | spill;
        spill = 0;
      } else {
        long w1 = MemoryUtil.getLong(address + p + 1);
        long w2 = MemoryUtil.getLong(address + p + 2);
        long two = equal(w, 0xC2) & (equal(w1, 0x85) | equal(w1, 0xA0));
        long e2 = equal(w, 0xE2);
        long generalPunctuation =
            (w2 & ~((w2 & LOWS) + 0x75 * ONES) & HIGHS)
                | equal(w2, 0xA8)
                | equal(w2, 0xA9)
                | equal(w2, 0xAF);
        long three =
            (equal(w, 0xE1) & equal(w1, 0x9A) & equal(w2, 0x80))
                | (equal(w, 0xE3) & equal(w1, 0x80) & equal(w2, 0x80))
                | (e2 & equal(w1, 0x81) & equal(w2, 0x9F))
                | (e2 & equal(w1, 0x80) & generalPunctuation);
        starts = (asciiWhitespace(w & LOWS) & ~w) | two | three;
        inside = starts | (two << 8) | (three << 8) | (three << 16) | spill;
        spill = (two >>> 56) | (three >>> 56) | (three >>> 48);
      }
      runs += Long.bitCount(starts & ~((inside << 8) | (previous << 7)));
      previous = inside >>> 63;
    }
    int insideLeft = Long.bitCount(spill);
    for (; p < length; p++) {
      int window = window(address, p, length);
      long whitespace = whitespaceAt(window);
      runs += whitespace & (previous ^ 1);
      if (whitespace == 1) {
        int b0 = window & 0xFF;
        insideLeft = b0 < 0x80 ? 0 : b0 == 0xC2 ? 1 : 2;
        previous = 1;
      } else if (insideLeft > 0) {
        insideLeft--;
        previous = 1;
      } else {
        previous = 0;
      }
    }
    return runs + 1;
  }

  /** The high bit of each byte of {@code w} that equals {@code b}, exactly (no false positives). */
  private static long equal(long w, int b) {
    long v = w ^ (b * ONES);
    return ~(((v & LOWS) + LOWS) | v | LOWS);
  }

  /**
   * The high bit of each byte of {@code w} (all bytes below 0x80) that is ASCII whitespace in
   * Python: 0x09-0x0D or 0x1C-0x20. For a byte b below 0x80, b + (0x80 - lo) has its high bit set
   * iff b >= lo, and b + (0x7F - hi) iff b > hi; no sum carries into the next byte.
   */
  private static long asciiWhitespace(long w) {
    long atLeast09 = w + (0x80 - 0x09) * ONES;
    long above0D = w + (0x7F - 0x0D) * ONES;
    long atLeast1C = w + (0x80 - 0x1C) * ONES;
    long above20 = w + (0x7F - 0x20) * ONES;
    return ((atLeast09 & ~above0D) | (atLeast1C & ~above20)) & HIGHS;
  }

  /** Bytes {@code p..p+3} as a little-endian int, with 0 for bytes past the end. */
  private static int window(long address, long p, long length) {
    if (p + Integer.BYTES <= length) {
      return MemoryUtil.getInt(address + p);
    }
    int window = 0;
    for (long q = p; q < length; q++) {
      window |= (MemoryUtil.getByte(address + q) & 0xFF) << (8 * (q - p));
    }
    return window;
  }

  /**
   * 1 if a Python whitespace code point starts at the first byte of {@code window}, by its complete
   * shortest UTF-8 encoding: U+0085 = C2 85, U+00A0 = C2 A0, U+1680 = E1 9A 80, U+2000-U+200A = E2
   * 80 80-8A, U+2028/9 = E2 80 A8/A9, U+202F = E2 80 AF, U+205F = E2 81 9F, U+3000 = E3 80 80.
   */
  private static long whitespaceAt(int window) {
    int b0 = window & 0xFF;
    int two = window & 0xFFFF;
    int three = window & 0xFFFFFF;
    int b2 = (window >>> 16) & 0xFF;
    boolean generalPunctuation =
        two == 0x80E2 & ((b2 >= 0x80 & b2 <= 0x8A) | b2 == 0xA8 | b2 == 0xA9 | b2 == 0xAF);
    boolean whitespace =
        ASCII_WHITESPACE_BYTE[b0]
            | two == 0x85C2
            | two == 0xA0C2
            | three == 0x809AE1
            | three == 0x8080E3
            | three == 0x9F81E2
            | generalPunctuation;
    return whitespace ? 1 : 0;
  }

  private static final boolean[] ASCII_WHITESPACE_BYTE = new boolean[256];

  static {
    for (int b = 0; b < 0x40; b++) {
      ASCII_WHITESPACE_BYTE[b] = ((ASCII_WHITESPACE >>> b) & 1) != 0;
    }
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
