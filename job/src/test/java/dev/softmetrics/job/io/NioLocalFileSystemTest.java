package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.LocalSpark;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Permissions set without a chmod process are the ones asked for, as the OS reports them; and the
 * embedded session uses the class for {@code file:} paths.
 */
class NioLocalFileSystemTest {

  private static FileSystem fileSystem() throws Exception {
    Configuration conf = new Configuration(false);
    conf.set("fs.file.impl", NioLocalFileSystem.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    return FileSystem.get(new URI("file:///"), conf);
  }

  private static String mode(java.nio.file.Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  /** Creates nested directories and a file, sets modes; returns every path's mode, by name. */
  private static java.util.Map<String, String> exercise(FileSystem fs, java.nio.file.Path root)
      throws Exception {
    Path nested = new Path(root.toUri().toString() + "/a/b/c");
    assertThat(fs.mkdirs(nested, new FsPermission((short) 0750))).isTrue();
    Path file = new Path(nested, "part-0");
    try (FSDataOutputStream out = fs.create(file)) {
      out.writeUTF("x");
    }
    fs.setPermission(file, new FsPermission((short) 0604));
    fs.setPermission(new Path(root.toUri().toString() + "/a/b"), new FsPermission((short) 0711));
    assertThat(fs.getFileStatus(file).getPermission().toShort()).isEqualTo((short) 0604);
    java.util.Map<String, String> modes = new java.util.TreeMap<>();
    try (var paths = Files.walk(root)) {
      for (java.nio.file.Path path : paths.toList()) {
        modes.put(root.relativize(path).toString(), mode(path));
      }
    }
    return modes;
  }

  @Test
  void pathsGetTheModesThatHadoopsOwnLocalFileSystemGives(@TempDir java.nio.file.Path tmp)
      throws Exception {
    java.util.Map<String, String> ours;
    try (FileSystem fs = fileSystem()) {
      assertThat(fs).isInstanceOf(NioLocalFileSystem.class);
      ours = exercise(fs, Files.createDirectory(tmp.resolve("nio")));
    }
    Configuration conf = new Configuration(false);
    conf.setBoolean("fs.file.impl.disable.cache", true);
    java.util.Map<String, String> hadoops;
    try (FileSystem fs = FileSystem.get(new URI("file:///"), conf)) {
      assertThat(fs).isExactlyInstanceOf(org.apache.hadoop.fs.LocalFileSystem.class);
      hadoops = exercise(fs, Files.createDirectory(tmp.resolve("hadoop")));
    }
    assertThat(ours).isEqualTo(hadoops);
    assertThat(ours)
        .containsEntry("a/b/c", "rwxr-x---")
        .containsEntry("a/b", "rwx--x--x")
        .containsEntry("a/b/c/part-0", "rw----r--")
        // The checksum file of LocalFileSystem is still written beside the data.
        .containsKey("a/b/c/.part-0.crc");
  }

  @Test
  void everyBitMapsToItsPermission() {
    for (int mode = 0; mode <= 0777; mode++) {
      String expected = new FsPermission((short) mode).toString();
      assertThat(PosixFilePermissions.toString(NioLocalFileSystem.posix(mode)))
          .as("mode %o", mode)
          .isEqualTo(expected);
    }
  }

  @Test
  void theEmbeddedTestSessionUsesIt() throws Exception {
    SparkSession spark = LocalSpark.start();
    try {
      FileSystem fs =
          FileSystem.get(new URI("file:///"), spark.sparkContext().hadoopConfiguration());
      assertThat(fs).isInstanceOf(NioLocalFileSystem.class);
    } finally {
      spark.stop();
    }
  }
}
