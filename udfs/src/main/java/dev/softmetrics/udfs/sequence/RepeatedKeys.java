package dev.softmetrics.udfs.sequence;

import java.util.Arrays;

/**
 * Finds the keys that occur more than once among 64-bit key hashes: the candidates for duplicate
 * sequences. Equal hashes do not prove equal keys (two keys may collide), so a caller compares the
 * keys of the candidates themselves; different hashes do prove different keys, so a run whose
 * hashes are all distinct has no duplicate.
 */
public final class RepeatedKeys {

  private RepeatedKeys() {}

  /**
   * The values that occur at least twice in {@code hashes[0, length)}, ascending, each once.
   *
   * <p>Ownership: sorts {@code hashes[0, length)} in place; retains nothing.
   *
   * <p>Cost: O(length log length) for the sort, then one pass; allocates only the result.
   *
   * @param hashes key hashes, in any order
   * @param length how many of them are valid, from index 0
   * @return the repeated values
   * @throws IllegalArgumentException if {@code length} is negative or beyond the array
   */
  public static long[] repeated(long[] hashes, int length) {
    if (length < 0 || length > hashes.length) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid length: %d (must be in [0, %d], the array's size)", length, hashes.length));
    }
    Arrays.sort(hashes, 0, length);
    int count = 0;
    long[] out = new long[0];
    for (int i = 1; i < length; i++) {
      // Sorted, so the copies of a value are adjacent; the last value taken tells if it is new.
      if (hashes[i] == hashes[i - 1] && (count == 0 || out[count - 1] != hashes[i])) {
        if (count == out.length) {
          out = Arrays.copyOf(out, Math.max(4, count * 2));
        }
        out[count++] = hashes[i];
      }
    }
    return Arrays.copyOf(out, count);
  }

  /**
   * True when {@code hash} is one of {@code sortedHashes} (ascending, as {@link #repeated} returns
   * them). Cost: O(log n), no allocation.
   *
   * @param sortedHashes ascending hashes
   * @param hash the hash to look up
   * @return whether it is among them
   */
  public static boolean contains(long[] sortedHashes, long hash) {
    return Arrays.binarySearch(sortedHashes, hash) >= 0;
  }
}
