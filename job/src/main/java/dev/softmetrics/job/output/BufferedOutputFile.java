package dev.softmetrics.job.output;

import java.io.IOException;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * An {@link OutputFile} whose streams gather small writes in a buffer before they reach the file
 * system's stream. Parquet's file writer writes each page header (Thrift) as a run of small writes,
 * and on Hadoop's local file system each one went through {@code FSDataOutputStream}, the
 * checksumming stream and the statistics counters: so many calls that the JIT compiled that whole
 * path (its largest single compile of a scoring run, 0.65 s of C2 on 2 cores). Writes of at least
 * the buffer's size go straight through, after what is buffered.
 */
final class BufferedOutputFile implements OutputFile {
  /** Bytes gathered before a write reaches the file system's stream. */
  static final int BUFFER_BYTES = 64 * 1024;

  private final OutputFile file;

  BufferedOutputFile(OutputFile file) {
    this.file = file;
  }

  @Override
  public PositionOutputStream create(long blockSizeHint) throws IOException {
    return new Stream(file.create(blockSizeHint));
  }

  @Override
  public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
    return new Stream(file.createOrOverwrite(blockSizeHint));
  }

  @Override
  public boolean supportsBlockSize() {
    return file.supportsBlockSize();
  }

  @Override
  public long defaultBlockSize() {
    return file.defaultBlockSize();
  }

  @Override
  public String getPath() {
    return file.getPath();
  }

  /** The file's stream behind a buffer; its position counts the buffered bytes. */
  static final class Stream extends PositionOutputStream {
    private final PositionOutputStream out;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int count;
    private boolean closed;

    Stream(PositionOutputStream out) {
      this.out = out;
    }

    @Override
    public long getPos() throws IOException {
      return out.getPos() + count;
    }

    @Override
    public void write(int b) throws IOException {
      if (count == buffer.length) {
        drain();
      }
      buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (off < 0 || len < 0 || len > b.length - off) {
        throw new IndexOutOfBoundsException(
            "Invalid range: offset " + off + ", length " + len + " of " + b.length + " bytes");
      }
      if (len >= buffer.length) {
        drain();
        out.write(b, off, len);
        return;
      }
      if (len > buffer.length - count) {
        drain();
      }
      System.arraycopy(b, off, buffer, count, len);
      count += len;
    }

    private void drain() throws IOException {
      if (count > 0) {
        out.write(buffer, 0, count);
        count = 0;
      }
    }

    @Override
    public void flush() throws IOException {
      drain();
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try (PositionOutputStream file = out) {
        drain();
      }
    }
  }
}
