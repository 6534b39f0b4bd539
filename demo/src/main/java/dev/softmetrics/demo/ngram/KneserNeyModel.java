package dev.softmetrics.demo.ngram;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An interpolated Kneser-Ney token n-gram model (Chen and Goodman's "interpolated KN", one discount
 * per order) over a vocabulary of V ids: a proper distribution over all V ids at every context,
 * with no id at probability 0.
 *
 * <h2>Counts</h2>
 *
 * Each training sequence is preceded by N - 1 start symbols (id V, never predicted), and every
 * token with its N - 1 predecessors is one N-gram occurrence. The highest order uses those raw
 * counts c(h, w). Every lower order k uses continuation counts: N1+(. h w) is the number of
 * distinct tokens seen before the k-gram (h, w) among the distinct (k + 1)-grams.
 *
 * <h2>Probabilities</h2>
 *
 * With D_k the discount of order k, C(h) the sum of order k's counts after context h and N1+(h .)
 * the number of distinct tokens after it:
 *
 * <pre>
 *   p_k(w | h) = max(c_k(h, w) - D_k, 0) / C(h) + gamma_k(h) p_{k-1}(w | h'),
 *   gamma_k(h) = D_k N1+(h .) / C(h),       h' = h without its first token,
 *   p_k(w | h) = p_{k-1}(w | h')            when C(h) = 0 (h never seen),
 *   p_1(w)     = max(N1+(. w) - D_1, 0) / N1+(. .) + D_1 T / (N1+(. .) V),
 * </pre>
 *
 * where T is the number of distinct tokens with N1+(. w) > 0. Each level sums to 1 because every
 * count is at least 1 >= D_k, and D_1 > 0 leaves every id some probability.
 *
 * <h2>Discounts</h2>
 *
 * By default D_k = n1 / (n1 + 2 n2) (Ney, Essen and Kneser), with n1 and n2 the numbers of distinct
 * k-grams whose count (raw or continuation, as that order uses) is 1 and 2, kept within [{@value
 * #MIN_DISCOUNT}, {@value #MAX_DISCOUNT}] so that a corpus too small to have both still gives a
 * smoothed model.
 *
 * <h2>Cost</h2>
 *
 * Training sorts one long per training token (and per distinct n-gram for the lower orders). A
 * probability is N binary searches. A whole next-token distribution ({@link #distribution}) costs
 * time in the number of tokens seen after the last context token, not in V: every other id has the
 * unigram probability times the product of the back-off weights, which the sums over V use.
 */
public final class KneserNeyModel {
  /** The least discount an estimate is raised to. */
  public static final double MIN_DISCOUNT = 0.1;

  /** The largest discount an estimate is lowered to. */
  public static final double MAX_DISCOUNT = 0.9;

  private final int order;
  private final int vocabSize;
  private final double[] discounts;
  private final NgramLevel[] levels;
  private final double[] unigram;
  private final double[] logUnigram;
  private final int[] byUnigramDescending;

  private KneserNeyModel(int order, int vocabSize, NgramCounts[] grams, double[] discounts) {
    this.order = order;
    this.vocabSize = vocabSize;
    this.discounts = discounts;
    this.levels = new NgramLevel[order + 1];
    for (int k = 2; k <= order; k++) {
      levels[k] = new NgramLevel(grams[k]);
    }
    this.unigram = unigram(grams[1], discounts[1], vocabSize);
    this.logUnigram = Arrays.stream(unigram).map(StrictMath::log).toArray();
    this.byUnigramDescending =
        IntStream.range(0, vocabSize)
            .boxed()
            .sorted((a, b) -> Double.compare(unigram[b], unigram[a]))
            .mapToInt(Integer::intValue)
            .toArray();
  }

  /** Trains a model of {@code order} (1 to 3) on {@code sequences}, with estimated discounts. */
  public static KneserNeyModel train(int order, int vocabSize, List<int[]> sequences) {
    return train(order, vocabSize, sequences, null);
  }

  /**
   * Trains a model with the given discounts, {@code discounts[k - 1]} for order k, or estimated
   * ones when {@code discounts} is null.
   *
   * @throws IllegalArgumentException if the order, the vocabulary size, a discount or a token is
   *     out of range, or there is no token to train on
   */
  public static KneserNeyModel train(
      int order, int vocabSize, List<int[]> sequences, double[] discounts) {
    if (order < 1 || order > Packing.MAX_TOKENS) {
      throw new IllegalArgumentException(
          String.format("Invalid order: %s (must be 1 to %d)", order, Packing.MAX_TOKENS));
    }
    if (vocabSize < 1 || vocabSize >= Packing.MASK) {
      throw new IllegalArgumentException(
          String.format("Invalid vocabSize: %s (must be 1 to %d)", vocabSize, Packing.MASK - 1));
    }
    NgramCounts[] grams = new NgramCounts[order + 1];
    grams[order] = NgramCounts.of(occurrences(order, vocabSize, sequences));
    for (int k = order - 1; k >= 1; k--) {
      grams[k] = grams[k + 1].continuation(k);
    }
    double[] d = new double[order + 1];
    for (int k = 1; k <= order; k++) {
      d[k] = discounts == null ? estimatedDiscount(grams[k]) : checked(discounts, k);
    }
    return new KneserNeyModel(order, vocabSize, grams, d);
  }

  private static long[] occurrences(int order, int vocabSize, List<int[]> sequences) {
    long total = sequences.stream().mapToLong(s -> s.length).sum();
    if (total == 0 || total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          String.format("Invalid training set: %d tokens (must be 1 to 2^31 - 9)", total));
    }
    long[] keys = new long[(int) total];
    int n = 0;
    for (int s = 0; s < sequences.size(); s++) {
      int[] tokens = sequences.get(s);
      for (int t = 0; t < tokens.length; t++) {
        if (tokens[t] < 0 || tokens[t] >= vocabSize) {
          throw new IllegalArgumentException(
              String.format(
                  "Invalid token %d at position %d of training sequence %d (must be in [0, %d))",
                  tokens[t], t, s, vocabSize));
        }
        keys[n++] = Packing.key(Packing.context(tokens, t, order - 1, vocabSize), tokens[t]);
      }
    }
    return keys;
  }

  private static double estimatedDiscount(NgramCounts grams) {
    double n1 = grams.withCount(1);
    double n2 = grams.withCount(2);
    double d = n1 + n2 == 0 ? MAX_DISCOUNT : n1 / (n1 + 2 * n2);
    return Math.min(MAX_DISCOUNT, Math.max(MIN_DISCOUNT, d));
  }

  private static double checked(double[] discounts, int k) {
    if (discounts.length < k || !(discounts[k - 1] > 0 && discounts[k - 1] <= 1)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid discount of order %d: %s (must be in (0, 1])",
              k, discounts.length < k ? "missing" : discounts[k - 1]));
    }
    return discounts[k - 1];
  }

  private static double[] unigram(NgramCounts grams, double discount, int vocabSize) {
    double total = Arrays.stream(grams.counts()).asLongStream().sum();
    double floor = discount * grams.keys().length / (total * vocabSize);
    double[] p = new double[vocabSize];
    Arrays.fill(p, floor);
    for (int i = 0; i < grams.keys().length; i++) {
      p[Packing.word(grams.keys()[i])] += Math.max(grams.counts()[i] - discount, 0) / total;
    }
    return p;
  }

  /** N. */
  public int order() {
    return order;
  }

  /** V: ids are 0 to V - 1. */
  public int vocabSize() {
    return vocabSize;
  }

  /** D_k, for k from 1 to N. */
  public double discount(int k) {
    return discounts[k];
  }

  /** p(tokens[t] | tokens[0 .. t)). */
  public double probability(int[] tokens, int t) {
    return probability(tokens, t, tokens[t]);
  }

  /** p(word | tokens[0 .. t)): N binary searches. */
  public double probability(int[] tokens, int t, int word) {
    double p = unigram[word];
    for (int k = 2; k <= order; k++) {
      NgramLevel level = levels[k];
      int c = level.find(Packing.context(tokens, t, k - 1, vocabSize));
      if (c >= 0) {
        double total = level.totals[c];
        double distinct = level.start[c + 1] - level.start[c];
        p =
            Math.max(level.count(c, word) - discounts[k], 0) / total
                + discounts[k] * distinct / total * p;
      }
    }
    return p;
  }

  /**
   * The whole next-token distribution after {@code tokens[0 .. t)}: explicit probabilities for the
   * tokens seen after the last context token, and one factor for all the others.
   */
  public NextTokenDistribution distribution(int[] tokens, int t) {
    // Per order k >= 2, the context's followers [from, to), 1 / C(h) and gamma; an order whose
    // context was never seen passes p_{k-1} through (gamma 1, no followers).
    int[] from = new int[order + 1];
    int[] to = new int[order + 1];
    double[] inverseTotal = new double[order + 1];
    double[] gamma = new double[order + 1];
    double backoff = 1;
    for (int k = 2; k <= order; k++) {
      NgramLevel level = levels[k];
      int c = level.find(Packing.context(tokens, t, k - 1, vocabSize));
      gamma[k] = 1;
      if (c >= 0) {
        from[k] = level.start[c];
        to[k] = level.start[c + 1];
        inverseTotal[k] = 1.0 / level.totals[c];
        gamma[k] = discounts[k] * (to[k] - from[k]) * inverseTotal[k];
        backoff *= gamma[k];
      }
    }
    if (order == 1 || to[2] == from[2]) {
      return new NextTokenDistribution(this, new int[0], new double[0], backoff);
    }
    int[] ids = Arrays.copyOfRange(levels[2].words, from[2], to[2]);
    double[] probs = new double[ids.length];
    int[] cursor = from.clone();
    for (int i = 0; i < ids.length; i++) {
      int w = ids[i];
      double p = unigram[w];
      for (int k = 2; k <= order; k++) {
        NgramLevel level = levels[k];
        while (cursor[k] < to[k] && level.words[cursor[k]] < w) {
          cursor[k]++;
        }
        int count = cursor[k] < to[k] && level.words[cursor[k]] == w ? level.counts[cursor[k]] : 0;
        p = Math.max(count - discounts[k], 0) * inverseTotal[k] + gamma[k] * p;
      }
      probs[i] = p;
    }
    return new NextTokenDistribution(this, ids, probs, backoff);
  }

  /** p_1(w), the lowest order. */
  double unigram(int w) {
    return unigram[w];
  }

  /** ln p_1(w). */
  double logUnigram(int w) {
    return logUnigram[w];
  }

  /** The ids by p_1 descending, ties by id. */
  int[] byUnigramDescending() {
    return byUnigramDescending;
  }
}
