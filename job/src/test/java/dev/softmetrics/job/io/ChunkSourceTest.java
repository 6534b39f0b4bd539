package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Positioned reads of a file's bytes, as the task readers read pages: a local file without a
 * checksum file through the channel (a read longer than the staging buffer in slices), a local file
 * with one through Hadoop's checking stream; both give the file's bytes, and a read past the end
 * fails.
 */
class ChunkSourceTest {
  @TempDir Path dir;

  private static final Configuration CONF = new Configuration();

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(3).nextBytes(b);
    return b;
  }

  private static void assertReads(HadoopInputFile file, byte[] bytes, PageBuffers buffers)
      throws IOException {
    int big = 2 * ChunkSource.MAX_STAGING + 12345; // three slices through the staging buffer
    try (ChunkSource source = ChunkSource.open(file, buffers)) {
      byte[] into = new byte[big + 10];
      source.readFully(3, into, big);
      assertThat(Arrays.copyOf(into, big)).isEqualTo(Arrays.copyOfRange(bytes, 3, 3 + big));
      // A short read after the long one, from further back: positioned, not sequential.
      source.readFully(1, into, 5);
      assertThat(Arrays.copyOf(into, 5)).isEqualTo(Arrays.copyOfRange(bytes, 1, 6));
      source.readFully(bytes.length - 7, into, 7);
      assertThat(Arrays.copyOf(into, 7))
          .isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 7, bytes.length));
      assertThatThrownBy(() -> source.readFully(bytes.length - 3, into, 7))
          .isInstanceOf(EOFException.class);
    }
  }

  @Test
  void aLocalFileWithoutChecksumsReadsThroughTheChannelInSlices() throws IOException {
    Path path = dir.resolve("plain.bin");
    byte[] bytes = randomBytes(2 * ChunkSource.MAX_STAGING + 20_000);
    Files.write(path, bytes);
    HadoopInputFile file =
        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(path.toUri()), CONF);
    PageBuffers buffers = new PageBuffers();
    assertReads(file, bytes, buffers);
    // The direct buffer never grew past its bound, however long the read.
    assertThat(buffers.staging(1).capacity()).isEqualTo(ChunkSource.MAX_STAGING);
  }

  @Test
  void aLocalFileWithChecksumsReadsThroughHadoop() throws IOException {
    Path path = dir.resolve("checked.bin");
    byte[] bytes = randomBytes(2 * ChunkSource.MAX_STAGING + 20_000);
    org.apache.hadoop.fs.Path hadoopPath = new org.apache.hadoop.fs.Path(path.toUri());
    FileSystem fs = hadoopPath.getFileSystem(CONF);
    try (OutputStream out = fs.create(hadoopPath)) {
      out.write(bytes);
    }
    assertThat(dir.resolve(".checked.bin.crc")).exists();
    assertReads(HadoopInputFile.fromPath(hadoopPath, CONF), bytes, new PageBuffers());
  }
}
