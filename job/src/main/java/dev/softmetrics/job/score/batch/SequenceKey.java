package dev.softmetrics.job.score.batch;

import java.io.Serializable;

/**
 * Which sequence a chunk of the logits layout belongs to: its four labels. A chunk whose labels are
 * missing cannot be matched with others; it gets a key of its own, made from its file and row
 * ({@link #unmatched}), and stays alone.
 */
public record SequenceKey(
    String sequenceId, String model, String tokenizer, String domain, String row)
    implements Serializable {

  /** The key of a chunk with all four labels. */
  static SequenceKey of(String sequenceId, String model, String tokenizer, String domain) {
    return new SequenceKey(sequenceId, model, tokenizer, domain, null);
  }

  /** A key no other chunk has: for a chunk that lacks a label. */
  static SequenceKey unmatched(
      String sequenceId, String model, String tokenizer, String domain, String file, long row) {
    return new SequenceKey(sequenceId, model, tokenizer, domain, file + "#" + row);
  }
}
