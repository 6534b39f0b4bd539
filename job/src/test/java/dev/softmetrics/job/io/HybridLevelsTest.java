package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HybridLevels} against levels encoded by parquet-mr's own encoder: long runs (RLE), mixed
 * levels (bit-packed groups, 64 and more in a row), at bit widths 1 to 3 and page lengths that end
 * inside a group.
 */
class HybridLevelsTest {

  private static ByteBuffer encode(int[] levels, int bitWidth) throws IOException {
    RunLengthBitPackingHybridEncoder encoder =
        new RunLengthBitPackingHybridEncoder(bitWidth, 64, 1 << 20, new HeapByteBufferAllocator());
    for (int level : levels) {
      encoder.writeInt(level);
    }
    return encoder.toBytes().toByteBuffer();
  }

  /** Levels of rows whose lengths vary: mostly the maximum, with runs of every length. */
  private static int[] levels(SplittableRandom random, int count, int max, double change) {
    int[] levels = new int[count];
    int current = max;
    for (int i = 0; i < count; i++) {
      if (random.nextDouble() < change) {
        current = random.nextInt(max + 1);
      }
      levels[i] = current;
    }
    return levels;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void decodesWhatParquetEncoded(int bitWidth) throws IOException {
    SplittableRandom random = new SplittableRandom(bitWidth);
    int max = (1 << bitWidth) - 1;
    for (int trial = 0; trial < 300; trial++) {
      int count = 1 + random.nextInt(trial < 100 ? 40 : 3000);
      double change = new double[] {0.01, 0.2, 0.9}[trial % 3];
      int[] levels = levels(random, count, max, change);
      ByteBuffer encoded = encode(levels, bitWidth);

      assertThat(HybridLevels.decode(encoded, bitWidth, count, new int[0]))
          .as("trial %d", trial)
          .startsWith(levels);
      List<Integer> zeros = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if (levels[i] == 0) {
          zeros.add(i);
        }
      }
      int[] found = new int[1];
      int[] starts = HybridLevels.zeros(encoded, bitWidth, count, new int[1], found);
      assertThat(Arrays.stream(starts, 0, found[0]).boxed().toList())
          .as("trial %d", trial)
          .isEqualTo(zeros);
      boolean allMax = Arrays.stream(levels).allMatch(l -> l == max);
      if (!HybridLevels.allEqual(encoded, bitWidth, count, max)) {
        continue; // false may also mean "cannot tell" (a bit-packed group)
      }
      assertThat(allMax).as("trial %d: all equal claimed", trial).isTrue();
    }
    int[] ones = new int[5000];
    Arrays.fill(ones, max);
    assertThat(HybridLevels.allEqual(encode(ones, bitWidth), bitWidth, 5000, max)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void levelsThatEndEarlyAreRefused(int bitWidth) throws IOException {
    int[] levels = levels(new SplittableRandom(3), 500, (1 << bitWidth) - 1, 0.3);
    ByteBuffer encoded = encode(levels, bitWidth);
    ByteBuffer cut = encoded.duplicate();
    cut.limit(cut.position() + encoded.remaining() / 2);
    assertThatThrownBy(() -> HybridLevels.decode(cut, bitWidth, 500, new int[0]))
        .isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> HybridLevels.zeros(cut, bitWidth, 500, new int[0], new int[1]))
        .isInstanceOf(RuntimeException.class);
  }
}
