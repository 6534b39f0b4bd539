package dev.softmetrics.demo.ngram;

import java.util.Arrays;

/**
 * One order k >= 2 of a {@link KneserNeyModel}: each context (k - 1 tokens, packed) with the tokens
 * that followed it and their counts, in sorted arrays. The followers of context {@code c} are
 * {@code words[start[c] .. start[c + 1])}, ascending.
 */
final class NgramLevel {
  final long[] contexts;
  final int[] start;
  final int[] words;
  final int[] counts;
  final long[] totals;

  /** Groups sorted unique k-gram keys (context in the high bits, word in the low) by context. */
  NgramLevel(NgramCounts grams) {
    long[] keys = grams.keys();
    int contextCount = 0;
    for (int i = 0; i < keys.length; i++) {
      if (i == 0 || Packing.context(keys[i]) != Packing.context(keys[i - 1])) {
        contextCount++;
      }
    }
    contexts = new long[contextCount];
    start = new int[contextCount + 1];
    totals = new long[contextCount];
    words = new int[keys.length];
    counts = grams.counts();
    int c = -1;
    for (int i = 0; i < keys.length; i++) {
      if (i == 0 || Packing.context(keys[i]) != Packing.context(keys[i - 1])) {
        contexts[++c] = Packing.context(keys[i]);
        start[c] = i;
      }
      words[i] = Packing.word(keys[i]);
      totals[c] += counts[i];
    }
    start[contextCount] = keys.length;
  }

  /** The index of {@code context}, or -1 if it was never seen. */
  int find(long context) {
    int i = Arrays.binarySearch(contexts, context);
    return i >= 0 ? i : -1;
  }

  /** The count of {@code word} after context number {@code c}, 0 if it never followed it. */
  int count(int c, int word) {
    int i = Arrays.binarySearch(words, start[c], start[c + 1], word);
    return i >= 0 ? counts[i] : 0;
  }
}
