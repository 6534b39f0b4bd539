package dev.softmetrics.job.analysis;

import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import java.io.Serializable;

/**
 * The replicate sums of both sides of a pair over the sequences both scored, each sequence with the
 * same weights on both sides (the paired bootstrap), and how many sequences were paired.
 */
final class PairSums implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ReplicateSums a;
  private final ReplicateSums b;
  private long sequences;

  PairSums(int replicates) {
    a = new ReplicateSums(replicates);
    b = new ReplicateSums(replicates);
  }

  ReplicateSums a() {
    return a;
  }

  ReplicateSums b() {
    return b;
  }

  long sequences() {
    return sequences;
  }

  /** Counts one more paired sequence; its rows are added to {@link #a} and {@link #b}. */
  void countSequence() {
    sequences++;
  }

  PairSums merge(PairSums other) {
    a.merge(other.a);
    b.merge(other.b);
    sequences += other.sequences;
    return this;
  }
}
