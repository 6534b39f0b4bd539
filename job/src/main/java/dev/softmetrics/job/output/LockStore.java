package dev.softmetrics.job.output;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The file operations a lock needs, on any Hadoop file system: create a file only if none exists
 * (atomically), read it with its modification time, touch it, delete it.
 *
 * <p>Creation is the one that must be atomic. Hadoop's local file system checks, then creates, so
 * local paths go through {@code java.nio}'s {@code CREATE_NEW} (one {@code open(O_EXCL)}); other
 * file systems through {@code create(path, overwrite = false)}, which HDFS carries out atomically
 * in its NameNode, and object stores only where their connector makes it a conditional write.
 */
final class LockStore {
  private final FileSystem fs;

  LockStore(FileSystem fs) {
    this.fs = fs;
  }

  /** A lock file's text and modification time (epoch milliseconds). */
  record Held(String text, long modifiedAt) {}

  /** Creates {@code file} holding {@code text}; false when it exists already. */
  boolean createNew(Path file, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Optional<java.nio.file.Path> local = local(file);
    if (local.isPresent()) {
      try {
        Files.write(local.get(), bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(file, false)) {
      out.write(bytes);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  /** The file's text and time, or empty when there is no such file. */
  Optional<Held> read(Path file) throws IOException {
    try {
      FileStatus status = fs.getFileStatus(file);
      try (InputStream in = fs.open(file)) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return Optional.of(new Held(text, status.getModificationTime()));
      }
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Sets the file's modification time to now: the lease's renewal. */
  void touch(Path file, long now) throws IOException {
    fs.setTimes(file, now, -1);
  }

  void delete(Path file) throws IOException {
    fs.delete(file, false);
  }

  /** Deletes {@code folder} if it holds nothing (another run's lock, say, keeps it). */
  void deleteIfEmpty(Path folder) {
    try {
      if (fs.listStatus(folder).length == 0) {
        fs.delete(folder, false);
      }
    } catch (IOException e) {
      // Not empty after all, or gone: either way the folder is not ours to remove.
    }
  }

  private Optional<java.nio.file.Path> local(Path file) {
    FileSystem raw = fs instanceof LocalFileSystem checked ? checked.getRaw() : fs;
    if (raw instanceof RawLocalFileSystem local) {
      return Optional.of(local.pathToFile(file).toPath());
    }
    return Optional.empty();
  }
}
