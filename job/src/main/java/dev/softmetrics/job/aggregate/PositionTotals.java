package dev.softmetrics.job.aggregate;

import dev.softmetrics.udfs.corpus.ExactSum;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import java.io.Serializable;
import java.util.Arrays;

/**
 * A group's sums per position bucket ({@link PositionBuckets}): tokens, and the exact sums of its
 * sequences' bucket NLL and entropy, so that {@code positions/} is the same to the bit whatever the
 * partitioning and whether it comes from the scoring pass or from the stored {@code sequences/}
 * rows (both add the same per-sequence doubles).
 */
public final class PositionTotals implements Serializable {
  private static final long serialVersionUID = 1L;

  private long sequences;
  private long withEntropy;
  private long[] tokens = new long[0];
  private ExactSum[] nll = new ExactSum[0];
  private ExactSum[] entropy = new ExactSum[0];

  /** Adds one sequence's bucket sums. */
  void add(PositionBuckets.Sums sums) {
    grow(sums.buckets());
    for (int k = 0; k < sums.buckets(); k++) {
      tokens[k] += sums.tokens(k);
      nll[k].add(sums.nll(k));
      if (sums.hasEntropy()) {
        entropy[k].add(sums.entropy(k));
      }
    }
    sequences++;
    if (sums.hasEntropy()) {
      withEntropy++;
    }
  }

  /** Adds another group's totals into this one. */
  void merge(PositionTotals other) {
    grow(other.tokens.length);
    for (int k = 0; k < other.tokens.length; k++) {
      tokens[k] += other.tokens[k];
      nll[k].merge(other.nll[k]);
      entropy[k].merge(other.entropy[k]);
    }
    sequences += other.sequences;
    withEntropy += other.withEntropy;
  }

  /** A deep copy. */
  PositionTotals copy() {
    PositionTotals copy = new PositionTotals();
    copy.merge(this);
    return copy;
  }

  private void grow(int buckets) {
    int had = tokens.length;
    if (buckets <= had) {
      return;
    }
    tokens = Arrays.copyOf(tokens, buckets);
    nll = Arrays.copyOf(nll, buckets);
    entropy = Arrays.copyOf(entropy, buckets);
    for (int k = had; k < buckets; k++) {
      nll[k] = new ExactSum();
      entropy[k] = new ExactSum();
    }
  }

  /** The sequences added (a group's sequences stored without buckets are not). */
  public long sequences() {
    return sequences;
  }

  /** One past the highest bucket with a token. */
  public int buckets() {
    int k = tokens.length;
    while (k > 0 && tokens[k - 1] == 0) {
      k--;
    }
    return k;
  }

  /** Tokens in bucket {@code k}. */
  public long tokens(int k) {
    return tokens[k];
  }

  /** The NLL (nats) of bucket {@code k}, summed exactly and rounded once. */
  public double nll(int k) {
    return nll[k].doubleValue();
  }

  /** The entropy (nats) of bucket {@code k}, or null when some sequence had no entropies. */
  public Double entropy(int k) {
    return withEntropy == sequences && sequences > 0 ? entropy[k].doubleValue() : null;
  }
}
