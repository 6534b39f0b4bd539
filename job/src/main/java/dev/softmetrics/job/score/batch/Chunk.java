package dev.softmetrics.job.score.batch;

import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import java.io.Serializable;

/**
 * One input row of the logits layout after scoring: a chunk of consecutive positions of a sequence,
 * with its sums, or with the reason it was rejected. Chunks travel to the task that assembles their
 * sequence ({@link SequenceAssembler}); they hold no logits, only sums and counts.
 *
 * @param file the input file, as {@code _metadata.file_path} spells it
 * @param row the row's index in the file
 * @param firstPosition the position of the chunk's first token (0 when the column is absent or
 *     null)
 * @param tokens positions scored (0 when rejected)
 * @param vocab the vocabulary size of the logits (0 when rejected)
 * @param status {@link dev.softmetrics.udfs.Rejection#SCORED} or the id of the rejection
 * @param message for a rejected chunk, the message naming file, row and what was wrong; else null
 * @param nll the chunk's NLL sum
 * @param entropy the chunk's entropy sum
 * @param klForward KL(P_ref || Q) summed, NaN without reference logits
 * @param klReverse KL(Q || P_ref) summed, NaN without reference logits
 * @param crossEntropyRef H(P_ref, Q) summed, NaN without reference logits
 * @param bytes the UTF-8 bytes of the sequence's text, from the chunk's text or num_bytes; -1 if it
 *     has neither
 * @param chars code points, -1 if unknown
 * @param words words, -1 if unknown
 * @param positions the chunk's sums per position bucket; null when rejected
 */
public record Chunk(
    String file,
    long row,
    long firstPosition,
    long tokens,
    long vocab,
    int status,
    String message,
    double nll,
    double entropy,
    double klForward,
    double klReverse,
    double crossEntropyRef,
    long bytes,
    long chars,
    long words,
    Positions positions)
    implements Serializable {

  /**
   * A chunk's sums per position bucket k (see {@link PositionBuckets}), from bucket 0 to its last:
   * what it adds to its sequence's buckets.
   */
  public record Positions(long[] tokens, double[] nll, double[] entropy) implements Serializable {

    /** A copy of {@code sums}. */
    static Positions of(PositionBuckets.Sums sums) {
      int buckets = sums.buckets();
      long[] tokens = new long[buckets];
      double[] nll = new double[buckets];
      double[] entropy = new double[buckets];
      for (int k = 0; k < buckets; k++) {
        tokens[k] = sums.tokens(k);
        nll[k] = sums.nll(k);
        entropy[k] = sums.hasEntropy() ? sums.entropy(k) : Double.NaN;
      }
      return new Positions(tokens, nll, entropy);
    }

    /** Adds these sums into a sequence's. */
    void addTo(PositionBuckets.Sums sums) {
      for (int k = 0; k < tokens.length; k++) {
        sums.addBucket(k, tokens[k], nll[k], entropy[k]);
      }
    }
  }

  /** True when the chunk itself was rejected. */
  boolean rejected() {
    return status != dev.softmetrics.udfs.Rejection.SCORED;
  }

  /** A rejected chunk (status {@code status}, explained by {@code message}): its sums undefined. */
  static Chunk rejected(
      String file,
      long row,
      long firstPosition,
      long tokens,
      long vocab,
      int status,
      String message,
      long bytes,
      long chars,
      long words) {
    return new Chunk(
        file,
        row,
        firstPosition,
        tokens,
        vocab,
        status,
        message,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        bytes,
        chars,
        words,
        null);
  }

  /** This chunk rejected for {@code rejection}: its sums undefined, its counts kept. */
  Chunk rejectedAs(Rejection rejection, String message) {
    return rejected(
        file, row, firstPosition, tokens, vocab, rejection.id(), message, bytes, chars, words);
  }

  /** "file row N", for messages. */
  String where() {
    return file + " row " + row;
  }

  /** The positions it covers, as {@code [first, end)}. */
  String span() {
    return "[" + firstPosition + ", " + (firstPosition + tokens) + ")";
  }
}
