package dev.softmetrics.job.score.batch;

import java.io.Serializable;
import java.util.List;

/**
 * Which sequence a chunk of the logits layout belongs to: its four labels and its extra labels
 * ({@code labels.extra}, empty for none). A chunk whose labels are missing cannot be matched with
 * others; it gets a key of its own, made from its file and row ({@link #unmatched}), and stays
 * alone.
 */
public record SequenceKey(
    String sequenceId,
    String model,
    String tokenizer,
    String domain,
    List<String> extraLabels,
    String row)
    implements Serializable {

  /** Copies {@code extraLabels} into a serializable list that allows nulls (a missing label). */
  public SequenceKey {
    extraLabels = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(extraLabels));
  }

  /** The key of a chunk with all its labels. */
  static SequenceKey of(
      String sequenceId, String model, String tokenizer, String domain, List<String> extras) {
    return new SequenceKey(sequenceId, model, tokenizer, domain, extras, null);
  }

  /** A key no other chunk has: for a chunk that lacks a label. */
  static SequenceKey unmatched(
      String sequenceId,
      String model,
      String tokenizer,
      String domain,
      List<String> extras,
      String file,
      long row) {
    return new SequenceKey(sequenceId, model, tokenizer, domain, extras, file + "#" + row);
  }

  /** (sequence_id, model, tokenizer, extra labels...): what makes two sequences copies. */
  public List<String> identity() {
    List<String> identity = new java.util.ArrayList<>(List.of(sequenceId, model, tokenizer));
    identity.addAll(extraLabels);
    return identity;
  }
}
