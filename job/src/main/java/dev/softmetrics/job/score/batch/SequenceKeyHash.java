package dev.softmetrics.job.score.batch;

import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The 64-bit hash of a sequence's identity, (sequence_id, model, tokenizer): XXH64 over each
 * label's UTF-8 bytes, each seeded with the hash so far. Two copies of a sequence hash alike in
 * every task and both layouts; two different keys rarely do, and the duplicate search compares the
 * keys themselves before it rejects anything.
 */
public final class SequenceKeyHash {
  private SequenceKeyHash() {}

  private static final long SEED = 0x5eed5eedL;

  /** The hash of a key given as the reader's bytes. */
  public static long of(UTF8String sequenceId, UTF8String model, UTF8String tokenizer) {
    long h = SEED;
    h = bytes(model, h);
    h = bytes(tokenizer, h);
    return bytes(sequenceId, h);
  }

  /** The hash of a key given as strings. */
  public static long of(String sequenceId, String model, String tokenizer) {
    return of(
        UTF8String.fromString(sequenceId),
        UTF8String.fromString(model),
        UTF8String.fromString(tokenizer));
  }

  private static long bytes(UTF8String s, long seed) {
    return XXH64.hashUnsafeBytes(s.getBaseObject(), s.getBaseOffset(), s.numBytes(), seed);
  }
}
