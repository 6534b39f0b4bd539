package dev.softmetrics.job.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}, with its checksum files), setting permissions through
 * {@code java.nio} rather than a {@code chmod} child process. Without Hadoop's native library,
 * which no Maven artifact ships, {@link RawLocalFileSystem#setPermission} starts {@code chmod} for
 * every directory it creates and every permission it sets: {@code strace -f -e execve} counted 49
 * such processes in one scoring run of 18 logits sequences and 43 in a 40 MB log-prob run, about 2
 * ms each on a 2-core machine, mostly on the driver's critical path (task and job commits, the
 * small tables it writes).
 *
 * <p>Embedded runs use it ({@link #EMBEDDED_SETTINGS}, which {@code bin/softmetrics} and the tests
 * apply to a {@code local} master); a cluster's executors keep their own file systems. A mode with
 * bits beyond {@code rwxrwxrwx} (sticky, setuid), or a file system without POSIX permissions, goes
 * to Hadoop's own way.
 */
public final class NioLocalFileSystem extends LocalFileSystem {

  /** The Spark settings that make an embedded session's {@code file:} paths use this class. */
  public static final Map<String, String> EMBEDDED_SETTINGS =
      Map.of("spark.hadoop.fs.file.impl", NioLocalFileSystem.class.getName());

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw file system underneath: Hadoop's, but for {@link #setPermission}. */
  static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      short mode = permission.toShort();
      if ((mode & ~0777) != 0) {
        super.setPermission(p, permission);
        return;
      }
      try {
        Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(mode));
      } catch (UnsupportedOperationException e) {
        super.setPermission(p, permission);
      }
    }
  }

  /** The POSIX permissions of the 9 low bits of {@code mode} ({@code 0754}: rwxr-xr--). */
  static Set<PosixFilePermission> posix(int mode) {
    PosixFilePermission[] byBit = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < byBit.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(byBit[bit]);
      }
    }
    return set;
  }
}
