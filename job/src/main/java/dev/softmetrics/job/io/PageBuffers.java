package dev.softmetrics.job.io;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * The heap buffers one task decompresses Parquet pages into, filled again from page to page. A
 * fresh buffer per page is fresh memory the kernel must fault in and zero: about 60,000 page faults
 * per 240 MB row group of log-probs, and 1.5 GB of new arrays in a run of 8 bench shards; a buffer
 * filled again costs nothing more. The reader gives a page's buffer back when it moves to the next
 * page.
 *
 * <p>Buffers of at least {@link #UNIT} bytes are made with their capacity rounded up to a whole
 * number of units, so that the next page, a few bytes longer, fits; a request gets the smallest
 * free buffer that holds it, limited to the size asked for (parquet-mr fills {@code remaining()}
 * bytes). At most {@link #KEPT} free buffers are kept, the largest: pages come one at a time.
 * Smaller requests get plain new buffers. Not thread-safe: one per task.
 */
final class PageBuffers implements ByteBufferAllocator {
  /** The rounding unit, and the smallest buffer kept (pages are about 1 MiB by default). */
  static final int UNIT = 1 << 16;

  static final int KEPT = 2;

  private final List<ByteBuffer> free = new ArrayList<>();

  /** The compressed bytes of the page being read ({@link StreamedPages}); empty until one is. */
  private byte[] pageBytes = new byte[0];

  /**
   * An array of at least {@code size} bytes for a data page's compressed bytes, kept and grown by
   * half at a time: the page read before it is done with by the time the next is read (its
   * decompressed buffers are this pool's; an uncompressed page's values lie in this array).
   */
  byte[] pageBytes(int size) {
    if (pageBytes.length < size) {
      long grown = Math.max(size, pageBytes.length * 3L / 2);
      pageBytes = new byte[(int) Math.min(grown, Integer.MAX_VALUE - 8)];
    }
    return pageBytes;
  }

  /** The direct buffer local reads go through ({@link ChunkSource}); null until one is made. */
  private ByteBuffer staging;

  /**
   * A direct buffer of at least {@code size} bytes, cleared and limited to {@code size}: the task's
   * one buffer for reading local files through a channel, kept and grown by half at a time, so that
   * pages of slowly growing sizes do not each make a new one.
   */
  ByteBuffer staging(int size) {
    if (staging == null || staging.capacity() < size) {
      long grown =
          staging == null
              ? size
              : Math.max(size, Math.min(staging.capacity() * 3L / 2, ChunkSource.MAX_STAGING));
      staging = ByteBuffer.allocateDirect((int) Math.min(grown, Integer.MAX_VALUE - 8));
    }
    staging.clear().limit(size);
    return staging;
  }

  @Override
  public ByteBuffer allocate(int size) {
    if (size < UNIT) {
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
    long rounded = ((long) size + UNIT - 1) / UNIT * UNIT;
    ByteBuffer fresh = ByteBuffer.allocate((int) Math.min(rounded, Integer.MAX_VALUE - 8));
    fresh.limit(size);
    return fresh;
  }

  @Override
  public void release(ByteBuffer buffer) {
    if (buffer.capacity() < UNIT) {
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

  /** Drops every buffer kept (for a closed reader); later requests make new ones. */
  void clear() {
    free.clear();
    pageBytes = new byte[0];
    staging = null;
  }

  @Override
  public boolean isDirect() {
    return false;
  }
}
