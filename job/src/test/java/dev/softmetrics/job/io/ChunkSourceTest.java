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

  /** Two pages, the second's header longer than one positioned read, after 5 other bytes. */
  private static byte[] twoPages() throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(new byte[] {9, 9, 9, 9, 9});
    org.apache.parquet.format.PageHeader first =
        new org.apache.parquet.format.PageHeader(
            org.apache.parquet.format.PageType.DATA_PAGE, 100, 100);
    org.apache.parquet.format.Util.writePageHeader(first, out);
    out.write(randomBytes(100));
    org.apache.parquet.format.PageHeader second =
        new org.apache.parquet.format.PageHeader(
            org.apache.parquet.format.PageType.INDEX_PAGE, 7, 7);
    second.setIndex_page_header(new org.apache.parquet.format.IndexPageHeader());
    second.setCrc(12345);
    // A header longer than 4 KiB: statistics do that in data page headers.
    org.apache.parquet.format.DataPageHeader stats =
        new org.apache.parquet.format.DataPageHeader(
            1,
            org.apache.parquet.format.Encoding.PLAIN,
            org.apache.parquet.format.Encoding.RLE,
            org.apache.parquet.format.Encoding.RLE);
    stats.setStatistics(new org.apache.parquet.format.Statistics().setMax_value(randomBytes(9000)));
    second.setData_page_header(stats);
    org.apache.parquet.format.Util.writePageHeader(second, out);
    out.write(new byte[] {1, 2, 3, 4, 5, 6, 7});
    return out.toByteArray();
  }

  /** Headers and pages in order, as StreamedPages reads them, through either source. */
  private static void assertHeadersAndPages(HadoopInputFile file, byte[] bytes) throws IOException {
    try (ChunkSource source = ChunkSource.open(file, new PageBuffers())) {
      ChunkSource.Header first = source.readHeader(5, bytes.length);
      assertThat(first.header().getCompressed_page_size()).isEqualTo(100);
      byte[] page = new byte[100];
      source.readFully(first.end(), page, 100);
      assertThat(page)
          .isEqualTo(Arrays.copyOfRange(bytes, (int) first.end(), (int) first.end() + 100));
      ChunkSource.Header second = source.readHeader(first.end() + 100, bytes.length);
      assertThat(second.header().getCrc()).isEqualTo(12345);
      assertThat(second.end()).isEqualTo(bytes.length - 7);
      byte[] last = new byte[7];
      source.readFully(second.end(), last, 7);
      assertThat(last).containsExactly(1, 2, 3, 4, 5, 6, 7);
      // And back to the first page (a reader that starts a row group again).
      assertThat(source.readHeader(5, bytes.length).end()).isEqualTo(first.end());
    }
  }

  @Test
  void pageHeadersAndPagesReadInOrderThroughEitherSource() throws IOException {
    byte[] bytes = twoPages();
    Path plain = dir.resolve("pages.bin");
    Files.write(plain, bytes);
    assertHeadersAndPages(
        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(plain.toUri()), CONF), bytes);
    org.apache.hadoop.fs.Path checked =
        new org.apache.hadoop.fs.Path(dir.resolve("checked-pages.bin").toUri());
    try (OutputStream out = checked.getFileSystem(CONF).create(checked)) {
      out.write(bytes);
    }
    assertHeadersAndPages(HadoopInputFile.fromPath(checked, CONF), bytes);
  }
}
