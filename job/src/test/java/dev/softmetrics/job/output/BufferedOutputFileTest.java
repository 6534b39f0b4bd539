package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffered stream under {@code sequences/} files: the file holds every byte written, in order,
 * and the position it reports is always the count of bytes written, whatever the mix of single
 * bytes, small writes and writes larger than its buffer.
 */
class BufferedOutputFileTest {
  @TempDir Path dir;

  @Test
  void theFileHoldsEveryByteAndThePositionCountsThem() throws Exception {
    Path path = dir.resolve("f.bin");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    Random random = new Random(7);
    int big = BufferedOutputFile.BUFFER_BYTES;
    int[] sizes = {1, 0, 17, big - 20, 40, big, 3, 2 * big + 5, 1, big - 1, 1, 1};
    try (PositionOutputStream out = new BufferedOutputFile(new LocalOutputFile(path)).create(0)) {
      assertThat(out.getPos()).isZero();
      for (int size : sizes) {
        if (size == 1) {
          int b = random.nextInt(256);
          out.write(b);
          expected.write(b);
        } else {
          byte[] bytes = new byte[size + 6];
          random.nextBytes(bytes);
          out.write(bytes, 3, size);
          expected.write(bytes, 3, size);
        }
        assertThat(out.getPos()).isEqualTo(expected.size());
      }
      out.flush();
      assertThat(Files.size(path)).isEqualTo(expected.size());
      out.write(5);
      expected.write(5);
    }
    assertThat(Files.readAllBytes(path)).isEqualTo(expected.toByteArray());
  }

  @Test
  void aCreatedFileIsNotOverwrittenAndABadRangeIsRefused() throws Exception {
    Path path = dir.resolve("g.bin");
    Files.write(path, new byte[] {1});
    BufferedOutputFile file = new BufferedOutputFile(new LocalOutputFile(path));
    assertThatThrownBy(() -> file.create(0)).isInstanceOf(java.io.IOException.class);
    try (PositionOutputStream out = file.createOrOverwrite(0)) {
      assertThatThrownBy(() -> out.write(new byte[4], 2, 3))
          .isInstanceOf(IndexOutOfBoundsException.class);
      out.write(new byte[] {9, 8}, 0, 2);
    }
    assertThat(Files.readAllBytes(path)).containsExactly(9, 8);
    assertThat(file.getPath()).isEqualTo(path.toString());
  }
}
