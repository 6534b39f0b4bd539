package dev.softmetrics.job.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes a data page's repetition or definition levels stored in Parquet's RLE / bit-packed hybrid
 * encoding (the levels' encoding in data pages v2, and {@code RLE} in v1), run by run: a run of one
 * value is taken whole, only bit-packed groups are looked at value by value.
 *
 * <p>The format: a sequence of runs, each led by a ULEB128 header; header {@code h} with its low
 * bit 0 is an RLE run of {@code h >>> 1} copies of one value stored in {@code ceil(bitWidth / 8)}
 * bytes, little-endian; with its low bit 1 it is {@code h >>> 1} groups of 8 values, {@code
 * bitWidth} bits each, packed from the least significant bit of each byte on. The last group may
 * hold padding past the page's level count, which is ignored.
 */
final class HybridLevels {
  private HybridLevels() {}

  /**
   * The positions, in {@code [0, count)}, of the levels equal to 0 among the {@code count} levels
   * in {@code levels}: for repetition levels, where each row starts. Writes them into {@code into}
   * (grown when needed) and returns the array; their number is put in {@code found[0]}.
   *
   * @throws IllegalArgumentException when the data ends before {@code count} levels
   */
  static int[] zeros(ByteBuffer levels, int bitWidth, int count, int[] into, int[] found) {
    ByteBuffer in = levels.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int[] out = into;
    int n = 0;
    int pos = 0;
    int valueBytes = (bitWidth + 7) / 8;
    while (pos < count) {
      int header = readVarInt(in);
      if ((header & 1) == 0) {
        int run = Math.min(header >>> 1, count - pos);
        if (run <= 0) {
          throw truncated(pos, count);
        }
        if (readRunValue(in, valueBytes) == 0) {
          if (n + run > out.length) {
            out = Arrays.copyOf(out, Math.max(n + run, out.length * 2));
          }
          for (int k = 0; k < run; k++) {
            out[n++] = pos + k;
          }
        }
        pos += run;
      } else {
        int groups = header >>> 1;
        int values = Math.min(groups * 8, count - pos);
        int start = in.position();
        int bytes = groups * bitWidth;
        checkPacked(in, start, values, bitWidth, pos, count);
        if (n + values > out.length) {
          out = Arrays.copyOf(out, Math.max(n + values, out.length * 2));
        }
        int k = 0;
        if (bitWidth == 1) {
          // 64 levels a word: a word of ones (a list going on) has no row start.
          for (; k + Long.SIZE <= values; k += Long.SIZE) {
            long zeros = ~in.getLong(start + (k >>> 3));
            while (zeros != 0) {
              out[n++] = pos + k + Long.numberOfTrailingZeros(zeros);
              zeros &= zeros - 1;
            }
          }
        }
        for (; k < values; k++) {
          if (packed(in, start, k, bitWidth) == 0) {
            out[n++] = pos + k;
          }
        }
        in.position(Math.min(in.limit(), start + bytes));
        pos += values;
      }
    }
    found[0] = n;
    return out;
  }

  /**
   * Whether all {@code count} levels equal {@code value} in RLE runs only, the common page of a
   * column without nulls; false also when the levels cannot tell (a bit-packed group).
   */
  static boolean allEqual(ByteBuffer levels, int bitWidth, int count, int value) {
    ByteBuffer in = levels.duplicate();
    int valueBytes = (bitWidth + 7) / 8;
    int seen = 0;
    while (seen < count) {
      if (!in.hasRemaining()) {
        return false;
      }
      int header = readVarInt(in);
      if ((header & 1) != 0 || header >>> 1 == 0 || readRunValue(in, valueBytes) != value) {
        return false;
      }
      seen += header >>> 1;
    }
    return true;
  }

  /**
   * The {@code count} levels in {@code levels}, decoded into {@code into} (grown when needed).
   *
   * @throws IllegalArgumentException when the data ends before {@code count} levels
   */
  static int[] decode(ByteBuffer levels, int bitWidth, int count, int[] into) {
    ByteBuffer in = levels.duplicate();
    int[] out = into.length >= count ? into : new int[Math.max(count, into.length * 2)];
    int pos = 0;
    int valueBytes = (bitWidth + 7) / 8;
    while (pos < count) {
      int header = readVarInt(in);
      if ((header & 1) == 0) {
        int run = Math.min(header >>> 1, count - pos);
        if (run <= 0) {
          throw truncated(pos, count);
        }
        Arrays.fill(out, pos, pos + run, readRunValue(in, valueBytes));
        pos += run;
      } else {
        int groups = header >>> 1;
        int values = Math.min(groups * 8, count - pos);
        int start = in.position();
        checkPacked(in, start, values, bitWidth, pos, count);
        for (int k = 0; k < values; k++) {
          out[pos + k] = packed(in, start, k, bitWidth);
        }
        in.position(Math.min(in.limit(), start + groups * bitWidth));
        pos += values;
      }
    }
    return out;
  }

  /** Value {@code k} of the bit-packed groups starting at byte {@code start}. */
  private static int packed(ByteBuffer in, int start, int k, int bitWidth) {
    if (bitWidth == 1) {
      return (in.get(start + (k >>> 3)) >>> (k & 7)) & 1;
    }
    long bit = (long) k * bitWidth;
    int at = start + (int) (bit >>> 3);
    int shift = (int) (bit & 7);
    int bytes = (shift + bitWidth + 7) / 8;
    long window = 0;
    for (int b = 0; b < bytes; b++) {
      window |= (in.get(at + b) & 0xFFL) << (8 * b);
    }
    return (int) ((window >>> shift) & ((1L << bitWidth) - 1));
  }

  private static void checkPacked(
      ByteBuffer in, int start, int values, int bitWidth, int pos, int count) {
    if (values <= 0 || start + ((long) values * bitWidth + 7) / 8 > in.limit()) {
      throw truncated(pos, count);
    }
  }

  private static int readRunValue(ByteBuffer in, int valueBytes) {
    if (in.remaining() < valueBytes) {
      throw new IllegalArgumentException("Invalid levels: a run's value is cut off");
    }
    int value = 0;
    for (int b = 0; b < valueBytes; b++) {
      value |= (in.get() & 0xFF) << (8 * b);
    }
    return value;
  }

  private static int readVarInt(ByteBuffer in) {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (!in.hasRemaining()) {
        throw new IllegalArgumentException("Invalid levels: the data ends inside a run header");
      }
      int b = in.get() & 0xFF;
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("Invalid levels: a run header is longer than 5 bytes");
  }

  private static IllegalArgumentException truncated(int pos, int count) {
    return new IllegalArgumentException(
        String.format(
            "Invalid levels: the data ends after %d of the page's %d levels", pos, count));
  }
}
