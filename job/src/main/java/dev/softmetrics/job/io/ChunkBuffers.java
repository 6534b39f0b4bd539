package dev.softmetrics.job.io;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * The heap buffers parquet-mr reads column chunks into, kept by one task from one row group to the
 * next and from file to file. A fresh buffer is fresh memory the kernel must fault in and zero (a
 * row group of 240 MB of log-probs, read in one piece, is about 60,000 page faults), while a buffer
 * read into again costs nothing more. parquet-mr gives each buffer back ({@link #release}) when the
 * row group's page store is closed.
 *
 * <p>Buffers of at least {@link #POOLED} bytes are made with their capacity rounded up to a whole
 * number of {@link #POOLED} bytes, so that the next file's chunk, a few bytes longer, fits; a
 * request gets the smallest free buffer that holds it, limited to the size asked for (parquet-mr
 * reads {@code remaining()} bytes into it). At most {@link #KEPT} free buffers are kept, the
 * largest. Smaller requests get plain new buffers. Not thread-safe: one per task.
 */
final class ChunkBuffers implements ByteBufferAllocator {
  static final int POOLED = 1 << 20;
  static final int KEPT = 2;

  private final List<ByteBuffer> free = new ArrayList<>();

  @Override
  public ByteBuffer allocate(int size) {
    if (size < POOLED) {
      return ByteBuffer.allocate(size);
    }
    ByteBuffer best = null;
    for (ByteBuffer b : free) {
      if (b.capacity() >= size && (best == null || b.capacity() < best.capacity())) {
        best = b;
      }
    }
    if (best != null) {
      free.remove(best);
      best.clear().limit(size);
      return best;
    }
    long rounded = ((long) size + POOLED - 1) / POOLED * POOLED;
    ByteBuffer fresh = ByteBuffer.allocate((int) Math.min(rounded, Integer.MAX_VALUE - 8));
    fresh.limit(size);
    return fresh;
  }

  @Override
  public void release(ByteBuffer buffer) {
    if (buffer.capacity() < POOLED) {
      return;
    }
    free.add(buffer);
    if (free.size() > KEPT) {
      ByteBuffer smallest = free.get(0);
      for (ByteBuffer b : free) {
        if (b.capacity() < smallest.capacity()) {
          smallest = b;
        }
      }
      free.remove(smallest);
    }
  }

  @Override
  public boolean isDirect() {
    return false;
  }
}
