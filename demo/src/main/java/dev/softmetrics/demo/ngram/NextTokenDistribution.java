package dev.softmetrics.demo.ngram;

import java.util.Arrays;

/**
 * A {@link KneserNeyModel}'s distribution over all V ids at one context, in two parts: explicit
 * probabilities for the ids that followed the last context token in training (ascending ids), and
 * for every other id w, p(w) = backoff * p_1(w). Those ids were never seen after any suffix of the
 * context, so each order only interpolates them down.
 */
public final class NextTokenDistribution {
  private final KneserNeyModel model;
  private final int[] ids;
  private final double[] probs;
  private final double backoff;

  NextTokenDistribution(KneserNeyModel model, int[] ids, double[] probs, double backoff) {
    this.model = model;
    this.ids = ids;
    this.probs = probs;
    this.backoff = backoff;
  }

  /** The model this distribution is from. */
  public KneserNeyModel model() {
    return model;
  }

  /** p(w). */
  public double probability(int w) {
    int i = Arrays.binarySearch(ids, w);
    return i >= 0 ? probs[i] : backoff * model.unigram(w);
  }

  /** Writes ln p(w) for every id into {@code out[0 .. V)}. O(V). */
  public void logprobs(double[] out) {
    double logBackoff = StrictMath.log(backoff);
    for (int w = 0; w < model.vocabSize(); w++) {
      out[w] = logBackoff + model.logUnigram(w);
    }
    for (int i = 0; i < ids.length; i++) {
      out[ids[i]] = StrictMath.log(probs[i]);
    }
  }

  /** How many ids have an explicit probability. */
  int explicitCount() {
    return ids.length;
  }

  /** The i-th id with an explicit probability, ascending in i. */
  int explicitId(int i) {
    return ids[i];
  }

  /** Its probability. */
  double explicitProbability(int i) {
    return probs[i];
  }

  /** True if {@code w} has an explicit probability. */
  boolean isExplicit(int w) {
    return Arrays.binarySearch(ids, w) >= 0;
  }

  /** The factor of p_1 for the ids without an explicit probability. */
  double backoff() {
    return backoff;
  }
}
