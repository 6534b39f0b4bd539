package dev.softmetrics.job.aggregate;

import dev.softmetrics.udfs.sequence.RepeatedKeys;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The 64-bit hashes of the sequence keys (sequence_id, model, tokenizer) a pass scored from one
 * input file: 8 bytes per scored sequence, sent to the driver with the task's totals, so that
 * duplicates are found without a shuffle. A growable array; only the used part is serialized.
 */
final class KeyHashes implements Serializable {
  private static final long serialVersionUID = 2L;

  private transient long[] hashes = new long[16];
  private transient int count;

  void add(long hash) {
    if (count == hashes.length) {
      hashes = Arrays.copyOf(hashes, count * 2);
    }
    hashes[count++] = hash;
  }

  void addAll(KeyHashes other) {
    if (count + other.count > hashes.length) {
      hashes = Arrays.copyOf(hashes, Math.max(count + other.count, hashes.length * 2));
    }
    System.arraycopy(other.hashes, 0, hashes, count, other.count);
    count += other.count;
  }

  int count() {
    return count;
  }

  /** True when one of the hashes is among {@code sortedCandidates}. */
  boolean containsAny(long[] sortedCandidates) {
    for (int i = 0; i < count; i++) {
      if (RepeatedKeys.contains(sortedCandidates, hashes[i])) {
        return true;
      }
    }
    return false;
  }

  /** Copies the hashes into {@code out} from {@code at}; returns the index after the last one. */
  int copyTo(long[] out, int at) {
    System.arraycopy(hashes, 0, out, at, count);
    return at + count;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    out.writeInt(count);
    ArrayStreams.writeLongs(out, hashes, count);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    count = ArrayStreams.count(in);
    hashes = new long[Math.max(16, count)];
    ArrayStreams.readLongs(in, hashes, count);
  }
}
