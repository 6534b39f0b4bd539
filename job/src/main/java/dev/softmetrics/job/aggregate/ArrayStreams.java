package dev.softmetrics.job.aggregate;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes and reads the used part of a primitive array in a serialized task result as raw
 * little-endian bytes, a block at a time. {@code ObjectOutputStream} writes a {@code long[]} or
 * {@code double[]} element by element in a Java loop (as does {@code writeLong} per value): a
 * scoring task sends about 600,000 such values, which ran interpreted until the JIT compiled the
 * stream's loops, on the executors and again on the driver. A block is copied by the buffer's bulk
 * {@code put}/{@code get}, with no per-element loop in Java.
 */
final class ArrayStreams {
  /** Values per block: 64 KiB of bytes. */
  private static final int BLOCK = 8192;

  private ArrayStreams() {}

  /** Writes {@code values[0, count)}; {@link #readLongs} reads them back. */
  static void writeLongs(ObjectOutputStream out, long[] values, int count) throws IOException {
    write(out, count, Long.BYTES, (block, from, n) -> block.asLongBuffer().put(values, from, n));
  }

  /** Writes {@code values[0, count)}; {@link #readDoubles} reads them back. */
  static void writeDoubles(ObjectOutputStream out, double[] values, int count) throws IOException {
    write(
        out, count, Double.BYTES, (block, from, n) -> block.asDoubleBuffer().put(values, from, n));
  }

  /** Reads {@code count} values written by {@link #writeLongs} into {@code into[0, count)}. */
  static void readLongs(ObjectInputStream in, long[] into, int count) throws IOException {
    read(in, count, Long.BYTES, (block, from, n) -> block.asLongBuffer().get(into, from, n));
  }

  /** Reads {@code count} values written by {@link #writeDoubles} into {@code into[0, count)}. */
  static void readDoubles(ObjectInputStream in, double[] into, int count) throws IOException {
    read(in, count, Double.BYTES, (block, from, n) -> block.asDoubleBuffer().get(into, from, n));
  }

  /** Copies values {@code [from, from + n)} between an array and a block's bytes. */
  private interface Copy {
    void copy(ByteBuffer block, int from, int n);
  }

  private static void write(ObjectOutputStream out, int count, int width, Copy fill)
      throws IOException {
    byte[] block = new byte[Math.min(count, BLOCK) * width];
    for (int from = 0; from < count; from += BLOCK) {
      int n = Math.min(BLOCK, count - from);
      fill.copy(wrap(block), from, n);
      out.write(block, 0, n * width);
    }
  }

  private static void read(ObjectInputStream in, int count, int width, Copy drain)
      throws IOException {
    byte[] block = new byte[Math.min(count, BLOCK) * width];
    for (int from = 0; from < count; from += BLOCK) {
      int n = Math.min(BLOCK, count - from);
      in.readFully(block, 0, n * width);
      drain.copy(wrap(block), from, n);
    }
  }

  /** A count read from a stream, checked before arrays are sized by it. */
  static int count(ObjectInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0) {
      throw new InvalidObjectException("Invalid count of values: " + count);
    }
    return count;
  }

  private static ByteBuffer wrap(byte[] block) {
    return ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
  }
}
