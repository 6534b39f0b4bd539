package dev.softmetrics.job.io;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Where a task reader reads a file's column chunks from, page header by page header and page by
 * page ({@link StreamedPages}). A local file without a checksum file is read through a file channel
 * into one direct buffer the task keeps ({@link PageBuffers#staging}), then copied into the page's
 * array: Java's stream reads of more than 8 KB allocate a native buffer of their size on every
 * call, and a channel read into an array's buffer goes through a per-thread native buffer that is
 * freed and made again whenever a page is a little larger than the one before: both cost page
 * faults. Any other file (another file system, or a local file whose checksums Hadoop checks) is
 * read through Hadoop's stream, forward: each header straight from the stream, then its page, with
 * a seek only where the reader skips (an object store's stream would open a new request on a
 * backward seek).
 */
abstract class ChunkSource implements Closeable {
  /** The largest direct buffer a local read goes through: larger pages are read in slices. */
  static final int MAX_STAGING = 8 << 20;

  /** Reads {@code length} bytes of the file from {@code position} into {@code into[0, length)}. */
  abstract void readFully(long position, byte[] into, int length) throws IOException;

  /** A page header, and the file position just after it. */
  record Header(PageHeader header, long end) {}

  /** Holds the bytes a header is parsed from ({@link #readHeader}). */
  private byte[] headerBytes = new byte[HEADER_PROBE];

  /**
   * The page header at {@code position} of a file of {@code fileLength} bytes: parsed from a
   * positioned read of the bytes there, more of them if the header is longer.
   */
  Header readHeader(long position, long fileLength) throws IOException {
    for (int probe = HEADER_PROBE; ; probe *= 4) {
      int n = (int) Math.min(probe, fileLength - position);
      if (headerBytes.length < n) {
        headerBytes = new byte[n];
      }
      readFully(position, headerBytes, n);
      ByteArrayInputStream in = new ByteArrayInputStream(headerBytes, 0, n);
      try {
        PageHeader header = Util.readPageHeader(in);
        return new Header(header, position + n - in.available());
      } catch (IOException e) {
        // A header longer than the bytes read fails too: read more, up to the file's end.
        if (position + n == fileLength || probe >= MAX_HEADER) {
          throw e;
        }
      }
    }
  }

  /** Bytes read to find a page header in by positioned reads; more when a header is longer. */
  private static final int HEADER_PROBE = 4096;

  /** The longest page header read so (statistics can make one long). */
  private static final int MAX_HEADER = 16 << 20;

  static ChunkSource open(HadoopInputFile file, PageBuffers buffers) throws IOException {
    Path path = file.getPath();
    FileSystem fs = path.getFileSystem(file.getConfiguration());
    if (fs instanceof LocalFileSystem local && !local.exists(local.getChecksumFile(path))) {
      return new Local(
          FileChannel.open(local.pathToFile(path).toPath(), StandardOpenOption.READ), buffers);
    }
    return new Hadoop(fs.open(path));
  }

  private static final class Local extends ChunkSource {
    private final FileChannel channel;
    private final PageBuffers buffers;

    Local(FileChannel channel, PageBuffers buffers) {
      this.channel = channel;
      this.buffers = buffers;
    }

    @Override
    void readFully(long position, byte[] into, int length) throws IOException {
      // A page larger than the staging buffer (a logits blob can be hundreds of MB) goes through it
      // a slice at a time, so the direct memory stays small.
      for (int done = 0; done < length; ) {
        int slice = Math.min(length - done, MAX_STAGING);
        ByteBuffer staging = buffers.staging(slice);
        long at = position + done;
        while (staging.hasRemaining()) {
          int n = channel.read(staging, at);
          if (n < 0) {
            throw new EOFException(
                "the file ends at byte "
                    + at
                    + ", inside "
                    + length
                    + " bytes read from "
                    + position);
          }
          at += n;
        }
        staging.flip().get(into, done, slice);
        done += slice;
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  private static final class Hadoop extends ChunkSource {
    private final FSDataInputStream in;

    Hadoop(FSDataInputStream in) {
      this.in = in;
    }

    @Override
    void readFully(long position, byte[] into, int length) throws IOException {
      moveTo(position);
      in.readFully(into, 0, length);
    }

    @Override
    Header readHeader(long position, long fileLength) throws IOException {
      moveTo(position);
      PageHeader header = Util.readPageHeader(in);
      return new Header(header, in.getPos());
    }

    /**
     * Seeks only when the stream is elsewhere: pages are read in order, so that is where a row
     * group starts or pages are skipped. (Hadoop's positioned reads would be no better: on a local
     * file with checksums each one opens the file and its checksum file again.)
     */
    private void moveTo(long position) throws IOException {
      if (in.getPos() != position) {
        in.seek(position);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
