package dev.softmetrics.job.aggregate;

/**
 * One row of the {@code corpus/} table. Nullable fields are null where the input does not allow the
 * figure (no character counts, say) or, for the macro columns, on the per-domain rows.
 */
public record CorpusRow(
    String model,
    String tokenizer,
    String domain,
    long sequences,
    long tokens,
    long bytes,
    Long chars,
    Long words,
    double nllSum,
    double meanNll,
    double pplToken,
    double bitsPerToken,
    double bitsPerByte,
    Double bitsPerChar,
    double pplByte,
    Double pplWord,
    Integer domains,
    Double macroMeanNll,
    Double macroBitsPerByte) {

  /** The domain value of the per-(model, tokenizer) roll-up rows. */
  public static final String ALL_DOMAINS = "__all__";

  /** True for a roll-up row over all domains. */
  public boolean isRollup() {
    return ALL_DOMAINS.equals(domain);
  }
}
