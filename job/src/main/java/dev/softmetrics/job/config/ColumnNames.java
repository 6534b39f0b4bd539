package dev.softmetrics.job.config;

import com.typesafe.config.Config;
import java.util.List;

/**
 * Where the job finds each input column: the contract's default names, or the names a configuration
 * maps onto them.
 */
public record ColumnNames(
    String sequenceId,
    String model,
    String tokenizer,
    String domain,
    String tokenLogprobs,
    String text,
    String numBytes,
    String numChars,
    String numWords,
    String tokenEntropies,
    String refLogprobs,
    String topLogprobs,
    String vocabSize,
    String targetIds,
    String logits,
    String refLogits,
    String logitsDtype,
    String firstPosition)
    implements java.io.Serializable {

  public ColumnNames {
    // Arrays.asList, not List.of: a null name must reach the check below, not throw on its own.
    for (String name :
        java.util.Arrays.asList(
            sequenceId,
            model,
            tokenizer,
            domain,
            tokenLogprobs,
            text,
            numBytes,
            numChars,
            numWords,
            tokenEntropies,
            refLogprobs,
            topLogprobs,
            vocabSize,
            targetIds,
            logits,
            refLogits,
            logitsDtype,
            firstPosition)) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(
            "Invalid column name: empty (must name an input column)");
      }
    }
  }

  /** Reads the {@code columns} block of the {@code softmetrics} configuration. */
  static ColumnNames from(Config columns) {
    return new ColumnNames(
        columns.getString("sequence-id"),
        columns.getString("model"),
        columns.getString("tokenizer"),
        columns.getString("domain"),
        columns.getString("token-logprobs"),
        columns.getString("text"),
        columns.getString("num-bytes"),
        columns.getString("num-chars"),
        columns.getString("num-words"),
        columns.getString("token-entropies"),
        columns.getString("ref-logprobs"),
        columns.getString("top-logprobs"),
        columns.getString("vocab-size"),
        columns.getString("target-ids"),
        columns.getString("logits"),
        columns.getString("ref-logits"),
        columns.getString("logits-dtype"),
        columns.getString("first-position"));
  }

  /** Every input column the job knows, in the order of the configuration. */
  public List<String> all() {
    return List.of(
        sequenceId,
        model,
        tokenizer,
        domain,
        tokenLogprobs,
        text,
        numBytes,
        numChars,
        numWords,
        tokenEntropies,
        refLogprobs,
        topLogprobs,
        vocabSize,
        targetIds,
        logits,
        refLogits,
        logitsDtype,
        firstPosition);
  }

  /** The four label columns, in output order. */
  public List<String> labels() {
    return List.of(sequenceId, model, tokenizer, domain);
  }
}
