package dev.softmetrics.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A test-only Hadoop file system for the scheme {@code fulldisk:}: the local file system, except
 * that files created under a path that contains an armed fragment fail as a full disk fails on
 * Hadoop's local file system (the write throws {@link FSError} over "No space left on device") or
 * as a read-only one does (the create throws "Read-only file system"). Register it with {@code
 * fs.fulldisk.impl}; the job's code knows nothing of it.
 */
public final class FullDiskFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "fulldisk";

  /** How an armed create fails. */
  public enum Failure {
    NO_SPACE,
    READ_ONLY
  }

  private static volatile String fragment;
  private static volatile Failure failure;

  /** Files created under paths that contain {@code pathFragment} fail as {@code how}. */
  public static void arm(String pathFragment, Failure how) {
    fragment = pathFragment;
    failure = how;
  }

  public static void disarm() {
    fragment = null;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    failIfArmed(f);
    return wrap(
        f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    failIfArmed(f);
    return wrap(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private static boolean armed(Path f) {
    String armed = fragment;
    return armed != null && f.toUri().getPath().contains(armed);
  }

  private void failIfArmed(Path f) throws IOException {
    if (armed(f) && failure == Failure.READ_ONLY) {
      throw new FileNotFoundException(pathToFile(f) + " (Read-only file system)");
    }
  }

  private FSDataOutputStream wrap(Path f, FSDataOutputStream out) throws IOException {
    if (!armed(f)) {
      return out;
    }
    out.close();
    return new FSDataOutputStream(new FullStream(), statistics);
  }

  /** Every write fails as Hadoop's local output stream reports ENOSPC. */
  private static final class FullStream extends OutputStream {
    @Override
    public void write(int b) {
      throw noSpace();
    }

    @Override
    public void write(byte[] b, int off, int len) {
      throw noSpace();
    }

    private static FSError noSpace() {
      try {
        var constructor = FSError.class.getDeclaredConstructor(Throwable.class);
        constructor.setAccessible(true);
        return constructor.newInstance(new IOException("No space left on device"));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
