package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link PageBuffers}: what is handed out again, to whom, and what is kept. */
class PageBuffersTest {

  @Test
  void aReleasedBufferServesTheNextPageThatFitsLimitedToItsSize() {
    PageBuffers buffers = new PageBuffers();
    ByteBuffer first = buffers.allocate(1_040_000);
    assertThat(first.remaining()).isEqualTo(1_040_000);
    assertThat(first.capacity() % PageBuffers.UNIT).isZero();
    first.position(1000);
    buffers.release(first);

    ByteBuffer next = buffers.allocate(1_040_021);
    assertThat(next).isSameAs(first);
    assertThat(next.position()).isZero();
    assertThat(next.remaining()).isEqualTo(1_040_021);
  }

  @Test
  void theSmallestFreeBufferThatHoldsTheRequestIsTakenAndAtMostTwoAreKept() {
    PageBuffers buffers = new PageBuffers();
    ByteBuffer small = buffers.allocate(3 << 16);
    ByteBuffer middle = buffers.allocate(5 << 16);
    ByteBuffer large = buffers.allocate(9 << 16);
    buffers.release(small);
    buffers.release(middle);
    buffers.release(large); // three free: the smallest is dropped

    assertThat(buffers.allocate(2 << 16)).isSameAs(middle);
    assertThat(buffers.allocate(2 << 16)).isSameAs(large);
    assertThat(buffers.allocate(2 << 16)).isNotSameAs(small);
  }

  @Test
  void smallRequestsAreNeitherRoundedNorKept() {
    PageBuffers buffers = new PageBuffers();
    ByteBuffer header = buffers.allocate(981);
    assertThat(header.capacity()).isEqualTo(981);
    buffers.release(header);
    assertThat(buffers.allocate(981)).isNotSameAs(header);
  }
}
