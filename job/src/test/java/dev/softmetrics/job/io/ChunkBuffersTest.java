package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link ChunkBuffers}: what is handed out again, to whom, and what is kept. */
class ChunkBuffersTest {

  @Test
  void aReleasedBufferServesTheNextChunkThatFitsLimitedToItsSize() {
    ChunkBuffers buffers = new ChunkBuffers(ChunkBuffers.CHUNKS);
    ByteBuffer first = buffers.allocate(245_974_862);
    assertThat(first.remaining()).isEqualTo(245_974_862);
    assertThat(first.capacity() % ChunkBuffers.CHUNKS).isZero();
    first.position(1000);
    buffers.release(first);

    ByteBuffer next = buffers.allocate(245_974_883);
    assertThat(next).isSameAs(first);
    assertThat(next.position()).isZero();
    assertThat(next.remaining()).isEqualTo(245_974_883);
  }

  @Test
  void theSmallestFreeBufferThatHoldsTheRequestIsTakenAndAtMostTwoAreKept() {
    ChunkBuffers buffers = new ChunkBuffers(ChunkBuffers.CHUNKS);
    ByteBuffer small = buffers.allocate(3 << 20);
    ByteBuffer middle = buffers.allocate(5 << 20);
    ByteBuffer large = buffers.allocate(9 << 20);
    buffers.release(small);
    buffers.release(middle);
    buffers.release(large); // three free: the smallest is dropped

    assertThat(buffers.allocate(2 << 20)).isSameAs(middle);
    assertThat(buffers.allocate(2 << 20)).isSameAs(large);
    assertThat(buffers.allocate(2 << 20)).isNotSameAs(small);
  }

  @Test
  void smallRequestsAreNeitherRoundedNorKept() {
    ChunkBuffers buffers = new ChunkBuffers(ChunkBuffers.CHUNKS);
    ByteBuffer footer = buffers.allocate(981);
    assertThat(footer.capacity()).isEqualTo(981);
    buffers.release(footer);
    assertThat(buffers.allocate(981)).isNotSameAs(footer);
  }
}
