package dev.softmetrics.job.aggregate;

import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Arrays;

/**
 * What the bootstrap analysis needs of one (model, tokenizer, domain) group, gathered in the tasks
 * that score its sequences: the group's {@link ReplicateSums} over every replicate, and per scored
 * sequence its {@link dev.softmetrics.udfs.bootstrap.PoissonWeights#sequenceKey key}, NLL, tokens
 * and bytes (the values {@code sequences/} stores), for the paired comparisons. So a run whose
 * sequences are all of the output needs no second read of {@code sequences/}.
 *
 * <p>Merging is exact (replicate sums are integers; the rows are concatenated), so the driver's
 * result does not depend on partitioning. Cost: 32 bytes per replicate per group, and 32 bytes per
 * sequence (primitive arrays; serialised at their length, not their capacity, as raw bytes: {@link
 * ArrayStreams}).
 */
public final class GroupSample implements Serializable {
  private static final long serialVersionUID = 2L;

  private final ReplicateSums replicates;
  // False once the sequences were dropped (a limit of the pass): the replicate sums stay whole.
  private boolean complete = true;
  private transient long[] keys;
  private transient double[] nll;
  private transient long[] tokens;
  private transient long[] bytes;
  private transient int size;

  GroupSample(int replicates) {
    this.replicates = new ReplicateSums(replicates);
    allocate(16);
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    nll = new double[capacity];
    tokens = new long[capacity];
    bytes = new long[capacity];
  }

  /** Adds a scored sequence, weighted in every replicate by its weights drawn from {@code key}. */
  void add(long key, double nllSum, long sequenceTokens, long sequenceBytes) {
    replicates.addDrawn(key, nllSum, sequenceTokens, sequenceBytes);
    if (!complete) {
      return;
    }
    if (size == keys.length) {
      grow(size + 1);
    }
    keys[size] = key;
    nll[size] = nllSum;
    tokens[size] = sequenceTokens;
    bytes[size] = sequenceBytes;
    size++;
  }

  private void grow(int needed) {
    int capacity = Math.max(needed, keys.length + (keys.length >> 1));
    keys = Arrays.copyOf(keys, capacity);
    nll = Arrays.copyOf(nll, capacity);
    tokens = Arrays.copyOf(tokens, capacity);
    bytes = Arrays.copyOf(bytes, capacity);
  }

  void merge(GroupSample other) {
    replicates.merge(other.replicates);
    if (!complete || !other.complete) {
      dropSequences();
      return;
    }
    if (size + other.size > keys.length) {
      grow(size + other.size);
    }
    System.arraycopy(other.keys, 0, keys, size, other.size);
    System.arraycopy(other.nll, 0, nll, size, other.size);
    System.arraycopy(other.tokens, 0, tokens, size, other.size);
    System.arraycopy(other.bytes, 0, bytes, size, other.size);
    size += other.size;
  }

  /**
   * Frees the sequences gathered so far and gathers no more (the replicate sums go on): for a pass
   * past its limit, whose comparisons then come from {@code sequences/}.
   */
  void dropSequences() {
    complete = false;
    size = 0;
    allocate(0);
  }

  /** False when the sequences were dropped ({@link #dropSequences}): only the sums are whole. */
  public boolean complete() {
    return complete;
  }

  /** The group's replicate sums (not a copy). */
  public ReplicateSums replicates() {
    return replicates;
  }

  /** The sequences added. */
  public int size() {
    return size;
  }

  /** Sequence {@code i}'s key. */
  public long key(int i) {
    return keys[i];
  }

  /** Sequence {@code i}'s NLL in nats. */
  public double nll(int i) {
    return nll[i];
  }

  /** Sequence {@code i}'s tokens. */
  public long tokens(int i) {
    return tokens[i];
  }

  /** Sequence {@code i}'s bytes. */
  public long bytes(int i) {
    return bytes[i];
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    out.writeInt(size);
    ArrayStreams.writeLongs(out, keys, size);
    ArrayStreams.writeDoubles(out, nll, size);
    ArrayStreams.writeLongs(out, tokens, size);
    ArrayStreams.writeLongs(out, bytes, size);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    size = ArrayStreams.count(in);
    allocate(size);
    ArrayStreams.readLongs(in, keys, size);
    ArrayStreams.readDoubles(in, nll, size);
    ArrayStreams.readLongs(in, tokens, size);
    ArrayStreams.readLongs(in, bytes, size);
  }
}
