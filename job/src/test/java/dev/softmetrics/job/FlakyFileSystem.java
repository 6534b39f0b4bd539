package dev.softmetrics.job;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.TaskContext;

/**
 * A test-only Hadoop file system for the scheme {@code flaky:}: the local file system, except that
 * inside a Spark task the first read of an armed file that reaches its fail-at offset (after the
 * same stream has read data before it) throws, once per file. Registered with {@code
 * spark.hadoop.fs.flaky.impl}; the job's code knows nothing of it.
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "flaky";

  /** Local path to the offset whose read fails once. */
  private static final Map<String, Long> FAIL_AT = new ConcurrentHashMap<>();

  private static final Set<String> FAILED = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger INJECTED = new AtomicInteger();

  /** Arms {@code localPath}: its first read from {@code offset} on, in a task, fails. */
  public static void failOnceAt(String localPath, long offset) {
    FAIL_AT.put(localPath, offset);
  }

  /** Disarms every file and forgets what failed. */
  public static void reset() {
    FAIL_AT.clear();
    FAILED.clear();
    INJECTED.set(0);
  }

  /** How many reads failed on purpose. */
  public static int injected() {
    return INJECTED.get();
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  /**
   * The local statuses with their permission given: the local file system loads it lazily from a
   * {@code file:} URI, which a {@code flaky:} path is not, and a recursive listing asks for it.
   */
  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] statuses = super.listStatus(f);
    for (int i = 0; i < statuses.length; i++) {
      FileStatus s = statuses[i];
      statuses[i] =
          new FileStatus(
              s.getLen(),
              s.isDirectory(),
              s.getReplication(),
              s.getBlockSize(),
              s.getModificationTime(),
              s.getAccessTime(),
              FsPermission.getFileDefault(),
              "",
              "",
              s.getPath());
    }
    return statuses;
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    FSDataInputStream in = super.open(f, bufferSize);
    String local = f.toUri().getPath();
    Long failAt = FAIL_AT.get(local);
    if (failAt == null || TaskContext.get() == null || FAILED.contains(local)) {
      return in;
    }
    return new FSDataInputStream(new FailingStream(in, local, failAt));
  }

  /** Fails the first read at or after {@code failAt} that follows a read before it. */
  private static final class FailingStream extends FSInputStream {
    private final FSDataInputStream in;
    private final String path;
    private final long failAt;
    private boolean readBefore;

    FailingStream(FSDataInputStream in, String path, long failAt) {
      this.in = in;
      this.path = path;
      this.failAt = failAt;
    }

    private void check() throws IOException {
      long pos = in.getPos();
      if (pos < failAt) {
        readBefore = true;
      } else if (readBefore && FAILED.add(path)) {
        INJECTED.incrementAndGet();
        throw new IOException("Injected failure reading " + path + " at offset " + pos);
      }
    }

    @Override
    public int read() throws IOException {
      check();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      check();
      return in.read(b, off, len);
    }

    @Override
    public void seek(long pos) throws IOException {
      in.seek(pos);
    }

    @Override
    public long getPos() throws IOException {
      return in.getPos();
    }

    @Override
    public boolean seekToNewSource(long targetPos) throws IOException {
      return in.seekToNewSource(targetPos);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
