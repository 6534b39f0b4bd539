package dev.softmetrics.job.analysis;

import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import java.io.Serializable;

/**
 * The replicate sums of both sides of a pair over the sequences both scored, each sequence with the
 * same weights on both sides (the paired bootstrap), and how many sequences were paired. A {@code
 * corpus/} group uses side a alone ({@code b} is null).
 */
final class PairSums implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ReplicateSums a;
  private final ReplicateSums b;
  private long sequences;

  private PairSums(ReplicateSums a, ReplicateSums b) {
    this.a = a;
    this.b = b;
  }

  /** Empty sums of a pair. */
  static PairSums pair(int replicates) {
    return new PairSums(new ReplicateSums(replicates), new ReplicateSums(replicates));
  }

  /** Empty sums of a group. */
  static PairSums group(int replicates) {
    return new PairSums(new ReplicateSums(replicates), null);
  }

  /** A group's sums over {@code sequences} sequences: a view of {@code sums}, not a copy. */
  static PairSums of(ReplicateSums sums, long sequences) {
    PairSums view = new PairSums(sums, null);
    view.sequences = sequences;
    return view;
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

  /** Adds both sides of {@code sequences} paired sequences. */
  void addPaired(ReplicateSums sideA, ReplicateSums sideB, long paired) {
    a.merge(sideA);
    b.merge(sideB);
    sequences += paired;
  }

  PairSums merge(PairSums other) {
    a.merge(other.a);
    if (b != null) {
      b.merge(other.b);
    }
    sequences += other.sequences;
    return this;
  }
}
