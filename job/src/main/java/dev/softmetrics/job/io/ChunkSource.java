package dev.softmetrics.job.io;

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
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Where a task reader reads a file's column chunks from, by positioned reads of whole pages ({@link
 * StreamedPages}). A local file without a checksum file is read through a file channel into one
 * direct buffer the task keeps ({@link PageBuffers#staging}), then copied into the page's array:
 * Java's stream reads of more than 8 KB allocate a native buffer of their size on every call, and a
 * channel read into an array's buffer goes through a per-thread native buffer that is freed and
 * made again whenever a page is a little larger than the one before: both cost page faults. Any
 * other file (another file system, or a local file whose checksums Hadoop checks) is read through
 * Hadoop's stream, by a seek and a read.
 */
abstract class ChunkSource implements Closeable {
  /** The largest direct buffer a local read goes through: larger pages are read in slices. */
  static final int MAX_STAGING = 8 << 20;

  /** Reads {@code length} bytes of the file from {@code position} into {@code into[0, length)}. */
  abstract void readFully(long position, byte[] into, int length) throws IOException;

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
      // Seek and read, as parquet-mr does: Hadoop's positioned read of a local file with checksums
      // opens the file and its checksum file anew for every call.
      in.seek(position);
      in.readFully(into, 0, length);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
