package dev.softmetrics.demo.ngram;

import java.util.Arrays;

/**
 * Distinct packed n-grams in ascending order with how often each occurs.
 *
 * @param keys distinct keys, ascending
 * @param counts {@code counts[i]} is how often {@code keys[i]} occurs
 */
record NgramCounts(long[] keys, int[] counts) {

  /** Counts the keys of {@code occurrences}, which it sorts in place. */
  static NgramCounts of(long[] occurrences) {
    Arrays.parallelSort(occurrences);
    int distinct = 0;
    for (int i = 0; i < occurrences.length; i++) {
      if (i == 0 || occurrences[i] != occurrences[i - 1]) {
        distinct++;
      }
    }
    long[] keys = new long[distinct];
    int[] counts = new int[distinct];
    int d = -1;
    for (int i = 0; i < occurrences.length; i++) {
      if (i == 0 || occurrences[i] != occurrences[i - 1]) {
        keys[++d] = occurrences[i];
      }
      counts[d]++;
    }
    return new NgramCounts(keys, counts);
  }

  /**
   * Kneser-Ney's continuation counts one order down: for each distinct suffix of {@code length}
   * tokens, how many distinct n-grams here end with it (how many different tokens preceded it).
   */
  NgramCounts continuation(int length) {
    long[] suffixes = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      suffixes[i] = Packing.suffix(keys[i], length);
    }
    return of(suffixes);
  }

  /** How many distinct n-grams occur exactly {@code times} times. */
  long withCount(int times) {
    long n = 0;
    for (int c : counts) {
      if (c == times) {
        n++;
      }
    }
    return n;
  }
}
