package dev.softmetrics.demo.ngram;

/**
 * Token n-grams packed into a long, {@value #BITS} bits per token, the earliest token highest: up
 * to three tokens of ids below 2^18 (a vocabulary of up to 262,143 ids, plus the start symbol).
 */
final class Packing {
  private Packing() {}

  static final int BITS = 18;
  static final long MASK = (1L << BITS) - 1;

  /** The most tokens a key holds. */
  static final int MAX_TOKENS = 3;

  /** The {@code length} tokens before position {@code t}, with {@code bos} before the start. */
  static long context(int[] tokens, int t, int length, int bos) {
    long key = 0;
    for (int i = t - length; i < t; i++) {
      key = key << BITS | (i < 0 ? bos : tokens[i]);
    }
    return key;
  }

  /** The key of an n-gram whose context is {@code context} and last token {@code word}. */
  static long key(long context, int word) {
    return context << BITS | word;
  }

  /** Everything but the last token. */
  static long context(long key) {
    return key >>> BITS;
  }

  /** The last token. */
  static int word(long key) {
    return (int) (key & MASK);
  }

  /** The last {@code length} tokens. */
  static long suffix(long key, int length) {
    return key & ((1L << (length * BITS)) - 1);
  }
}
