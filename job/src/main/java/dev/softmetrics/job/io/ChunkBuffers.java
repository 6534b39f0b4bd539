package dev.softmetrics.job.io;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * Heap buffers kept by one task and filled again: the ones pages are decompressed into (from page
 * to page), and the pieces parquet-mr reads column chunks into. A fresh buffer is fresh memory the
 * kernel must fault in and zero (a 240 MB row group of log-probs is about 60,000 page faults for
 * its chunk and as many again for its decompressed pages), while a buffer filled again costs
 * nothing more. The reader gives a page's buffer back when it moves to the next page; parquet-mr
 * gives a chunk's pieces back when the row group's page store is closed.
 *
 * <p>Buffers of at least {@code unit} bytes are made with their capacity rounded up to a whole
 * number of units, so that the next page or chunk, a few bytes longer, fits; a request gets the
 * smallest free buffer that holds it, limited to the size asked for (parquet-mr fills {@code
 * remaining()} bytes). At most {@link #KEPT} free buffers are kept, the largest: enough for pages,
 * which come one at a time; a chunk read in many pieces gets most of them anew (keeping them all
 * measured no fewer page faults and a larger resident set, in three runs each). Smaller requests
 * get plain new buffers. Not thread-safe: one per task.
 */
final class ChunkBuffers implements ByteBufferAllocator {
  /** The unit of column chunks' buffers. */
  static final int CHUNKS = 1 << 20;

  /** The unit of decompressed pages' buffers (pages are about 1 MiB by default). */
  static final int PAGES = 1 << 16;

  static final int KEPT = 2;

  private final int unit;
  private final List<ByteBuffer> free = new ArrayList<>();

  ChunkBuffers(int unit) {
    this.unit = unit;
  }

  @Override
  public ByteBuffer allocate(int size) {
    if (size < unit) {
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
    long rounded = ((long) size + unit - 1) / unit * unit;
    ByteBuffer fresh = ByteBuffer.allocate((int) Math.min(rounded, Integer.MAX_VALUE - 8));
    fresh.limit(size);
    return fresh;
  }

  @Override
  public void release(ByteBuffer buffer) {
    if (buffer.capacity() < unit) {
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
