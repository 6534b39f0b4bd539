package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.Shards;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The walk both task readers' tests make over a file against what Spark's reader gave: the whole
 * file in batches, then ranges that skip forward and go back, then from a freshly opened file the
 * last row of each row group with the next one.
 */
final class ReaderWalk {
  private ReaderWalk() {}

  /** Rows {@code [first, first + count)} of {@code file}, read by {@code reader}. */
  interface Reads<R, T> {
    List<T> read(R reader, String file, long first, int count);
  }

  /**
   * @param expected each row's value as Spark's reader gives it
   * @param batch rows per batch of the whole-file read
   * @param ranges {first, count} ranges read after it, in order, by the same reader
   */
  static <R extends PageColumnReader<?, ?>, T> void readsAsExpected(
      Path file,
      List<T> expected,
      int batch,
      long[][] ranges,
      Supplier<R> readers,
      Reads<R, T> reads)
      throws IOException {
    int rows = expected.size();
    String name = file.toUri().toString();
    try (R reader = readers.get()) {
      List<T> whole = new ArrayList<>();
      for (int first = 0; first < rows; first += batch) {
        whole.addAll(reads.read(reader, name, first, Math.min(batch, rows - first)));
      }
      assertThat(whole).isEqualTo(expected);
      for (long[] range : ranges) {
        int first = (int) range[0];
        int count = (int) range[1];
        assertThat(reads.read(reader, name, first, count))
            .as("rows %d to %d", first, first + count - 1)
            .isEqualTo(expected.subList(first, first + count));
      }
    }
    // From a freshly opened file: the last row of each row group, with the next one, and the first.
    long boundary = 0;
    for (long groupRows : Shards.groupRows(file)) {
      boundary += groupRows;
      for (long first : new long[] {boundary - 1, boundary}) {
        int count = (int) Math.min(2, rows - first);
        if (count > 0) {
          try (R reader = readers.get()) {
            assertThat(reads.read(reader, name, first, count))
                .as("rows %d to %d of a fresh reader", first, first + count - 1)
                .isEqualTo(expected.subList((int) first, (int) first + count));
          }
        }
      }
    }
  }
}
