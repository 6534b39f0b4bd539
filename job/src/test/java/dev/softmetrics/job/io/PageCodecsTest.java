package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * {@link PageCodecs}: a Snappy page comes back as the bytes Snappy compressed, in a buffer of the
 * task's {@link PageBuffers} that the reader is told of (and so gives back with the page); another
 * codec goes through parquet-mr's own decompressor.
 */
class PageCodecsTest {
  private static byte[] page(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) ((i * 31) ^ (i >>> 9));
    }
    return bytes;
  }

  @Test
  void aSnappyPageIsDecompressedIntoTheTasksBuffers() throws IOException {
    byte[] original = page(300_000);
    List<ByteBuffer> held = new ArrayList<>();
    PageBuffers buffers = new PageBuffers();
    PageCodecs codecs = new PageCodecs(new Configuration(), buffers, held::add);
    BytesInput out =
        codecs
            .getDecompressor(CompressionCodecName.SNAPPY)
            // As parquet-mr hands a page over: a slice of the column chunk's buffer.
            .decompress(
                BytesInput.from(ByteBuffer.wrap(Snappy.compress(original))), original.length);
    ByteBuffer bytes = out.toByteBuffer(buffers, held::add);
    assertThat(held).singleElement();
    assertThat(bytes.array()).isSameAs(held.get(0).array());
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    assertThat(copy).isEqualTo(original);

    // Given back, the buffer serves the next page.
    buffers.release(held.remove(0));
    codecs
        .getDecompressor(CompressionCodecName.SNAPPY)
        .decompress(BytesInput.from(ByteBuffer.wrap(Snappy.compress(page(299_000)))), 299_000);
    assertThat(held.get(0).array()).isSameAs(bytes.array());
  }

  @Test
  void aSnappyPageOfAnotherSizeThanItsHeaderSaysIsRefused() throws IOException {
    PageCodecs codecs = new PageCodecs(new Configuration(), new PageBuffers(), b -> {});
    byte[] compressed = Snappy.compress(page(1000));
    assertThatThrownBy(
            () ->
                codecs
                    .getDecompressor(CompressionCodecName.SNAPPY)
                    .decompress(BytesInput.from(compressed), 999))
        .isInstanceOf(IOException.class)
        .hasMessage("a Snappy page decompresses to 1000 bytes, its page header says 999");
  }

  @Test
  void anotherCodecGoesThroughParquetsOwnDecompressor() throws IOException {
    byte[] original = page(5000);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(original);
    }
    List<ByteBuffer> held = new ArrayList<>();
    PageCodecs codecs = new PageCodecs(new Configuration(), new PageBuffers(), held::add);
    BytesInput out =
        codecs
            .getDecompressor(CompressionCodecName.GZIP)
            .decompress(BytesInput.from(gz.toByteArray()), original.length);
    assertThat(out.toByteArray()).isEqualTo(original);
    assertThat(held).isEmpty();
    codecs.release();
  }
}
