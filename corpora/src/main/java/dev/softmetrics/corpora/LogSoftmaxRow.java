package dev.softmetrics.corpora;

import java.util.Arrays;

/**
 * The log-prob form of one position's logits, computed the plain way and apart from the job's
 * kernels so that the demo's two layouts check each other: in double, max-shifted, one pass per
 * sum, with {@link StrictMath} so that every JVM gets the same bits.
 *
 * <p>A row is {@code logits[from .. from + vocab)}, finite or -infinity, with at least one finite
 * entry. An entry at -infinity has probability 0 and adds nothing to any sum.
 */
final class LogSoftmaxRow {
  private final float[] logits;
  private final int from;
  private final int vocab;
  private final double logSumExp;

  /** Reads one row of {@code logits}, which it keeps and does not copy. O(vocab). */
  LogSoftmaxRow(float[] logits, int from, int vocab) {
    this.logits = logits;
    this.from = from;
    this.vocab = vocab;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = from; i < from + vocab; i++) {
      max = Math.max(max, logits[i]);
    }
    double sum = 0;
    for (int i = from; i < from + vocab; i++) {
      sum += StrictMath.exp(logits[i] - max);
    }
    logSumExp = max + StrictMath.log(sum);
  }

  /** ln softmax(z)[id]. */
  double logprob(int id) {
    return logits[from + id] - logSumExp;
  }

  /** H = -sum p_i ln p_i, skipping p_i = 0. O(vocab). */
  double entropy() {
    double entropy = 0;
    for (int i = from; i < from + vocab; i++) {
      if (logits[i] != Float.NEGATIVE_INFINITY) {
        double logp = logits[i] - logSumExp;
        entropy -= StrictMath.exp(logp) * logp;
      }
    }
    return entropy;
  }

  /**
   * The {@code k} largest log-probs, descending. O(vocab * k): an insertion into a k-long list,
   * which beats a heap for the handful that inference servers return.
   */
  double[] top(int k) {
    float[] best = new float[k];
    Arrays.fill(best, Float.NEGATIVE_INFINITY);
    for (int i = from; i < from + vocab; i++) {
      float z = logits[i];
      if (z > best[k - 1]) {
        int j = k - 1;
        while (j > 0 && best[j - 1] < z) {
          best[j] = best[j - 1];
          j--;
        }
        best[j] = z;
      }
    }
    double[] top = new double[k];
    for (int j = 0; j < k; j++) {
      top[j] = best[j] - logSumExp;
    }
    return top;
  }
}
