package dev.softmetrics.job.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopCodecs;
import org.xerial.snappy.Snappy;

/**
 * The decompression of the pages the task readers ({@link ListColumnReader}, {@link
 * BinaryColumnReader}) decode: Snappy pages straight from the column chunk's bytes into a buffer of
 * the task's {@link PageBuffers}, other codecs through parquet-mr's own factory.
 *
 * <p>parquet-mr's Snappy path goes through Hadoop's stream interface: the compressed page is copied
 * into a direct buffer, decompressed into another, and copied from there into a new array, and the
 * direct buffers are made anew (and zeroed) whenever a page outgrows them. A profile of a logits
 * run (4 MiB pages) put a third of the reading tasks' time in those copies and the page faults of
 * the fresh memory. Here a page costs one native call from the chunk's array into a reused one.
 *
 * <p>The page's buffer goes to {@code held} and back to the buffers when the reader releases the
 * page. One instance per open file, not thread-safe.
 */
final class PageCodecs implements CompressionCodecFactory {
  private final CompressionCodecFactory fallback;
  private final PageBuffers buffers;
  private final Consumer<ByteBuffer> held;
  private final SnappyPages snappy = new SnappyPages();

  /**
   * @param buffers where decompressed pages go
   * @param held told of every buffer a page was decompressed into, to give back to {@code buffers}
   */
  PageCodecs(Configuration conf, PageBuffers buffers, Consumer<ByteBuffer> held) {
    this.fallback = HadoopCodecs.newFactory(conf, 0);
    this.buffers = buffers;
    this.held = held;
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    return fallback.getCompressor(codec);
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return codec == CompressionCodecName.SNAPPY ? snappy : fallback.getDecompressor(codec);
  }

  @Override
  public void release() {
    fallback.release();
  }

  /** Snappy's raw format, one page per call, from and into heap arrays. */
  private final class SnappyPages implements BytesInputDecompressor {
    @Override
    public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
      ByteBuffer in = bytes.toByteBuffer(buffers, held);
      if (!in.hasArray()) {
        return fallback
            .getDecompressor(CompressionCodecName.SNAPPY)
            .decompress(BytesInput.from(in), uncompressedSize);
      }
      byte[] from = in.array();
      int offset = in.arrayOffset() + in.position();
      int length = in.remaining();
      // Snappy's own header gives the length it will write: it must be the page header's, so
      // that the native call stays within the buffer.
      int claimed = Snappy.uncompressedLength(from, offset, length);
      if (claimed != uncompressedSize) {
        throw new IOException(
            "a Snappy page decompresses to "
                + claimed
                + " bytes, its page header says "
                + uncompressedSize);
      }
      ByteBuffer out = buffers.allocate(uncompressedSize);
      held.accept(out);
      int written =
          Snappy.uncompress(from, offset, length, out.array(), out.arrayOffset() + out.position());
      if (written != uncompressedSize) {
        throw new IOException(
            "a Snappy page decompressed to " + written + " bytes, not " + uncompressedSize);
      }
      return BytesInput.from(out);
    }

    @Override
    public void decompress(
        ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize)
        throws IOException {
      fallback
          .getDecompressor(CompressionCodecName.SNAPPY)
          .decompress(input, compressedSize, output, decompressedSize);
    }

    @Override
    public void release() {
      // Nothing of its own: the buffers are the reader's.
    }
  }
}
