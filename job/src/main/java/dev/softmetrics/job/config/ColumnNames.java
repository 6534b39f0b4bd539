package dev.softmetrics.job.config;

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
    String firstPosition,
    List<String> extraLabels)
    implements java.io.Serializable {

  public ColumnNames {
    // Arrays.asList, not List.of: a null name must reach the check below, not throw on its own.
    List<String> known =
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
            firstPosition);
    for (String name : known) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(
            "Invalid column name: empty (must name an input column)");
      }
    }
    extraLabels = List.copyOf(extraLabels);
    ExtraLabelNames.check(extraLabels, known);
  }

  /** Reads the {@code columns} block of the {@code softmetrics} configuration. */
  static ColumnNames from(SettingValues settings) {
    return new ColumnNames(
        settings.text("columns.sequence-id"),
        settings.text("columns.model"),
        settings.text("columns.tokenizer"),
        settings.text("columns.domain"),
        settings.text("columns.token-logprobs"),
        settings.text("columns.text"),
        settings.text("columns.num-bytes"),
        settings.text("columns.num-chars"),
        settings.text("columns.num-words"),
        settings.text("columns.token-entropies"),
        settings.text("columns.ref-logprobs"),
        settings.text("columns.top-logprobs"),
        settings.text("columns.vocab-size"),
        settings.text("columns.target-ids"),
        settings.text("columns.logits"),
        settings.text("columns.ref-logits"),
        settings.text("columns.logits-dtype"),
        settings.text("columns.first-position"),
        settings.textList("labels.extra"));
  }

  /** Every input column the job knows, in the order of the configuration, the extra labels last. */
  public List<String> all() {
    List<String> all =
        new java.util.ArrayList<>(
            List.of(
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
                firstPosition));
    all.addAll(extraLabels);
    return all;
  }

  /**
   * The label columns: the four built-in ones, then the extra labels ({@code labels.extra}), each
   * read as text and required like the built-in ones.
   */
  public List<String> labels() {
    List<String> labels = new java.util.ArrayList<>(List.of(sequenceId, model, tokenizer, domain));
    labels.addAll(extraLabels);
    return labels;
  }
}
