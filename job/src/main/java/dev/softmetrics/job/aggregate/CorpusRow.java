package dev.softmetrics.job.aggregate;

import dev.softmetrics.job.tables.SoftColumn;

/**
 * One row of the {@code corpus/} table. Nullable fields are null where the input does not allow the
 * figure (no character counts, say) or, for the macro columns, on the per-domain rows. {@code soft}
 * holds the mean per token of each {@link SoftColumn}, null where some sequence of the group lacks
 * it, and {@code perSequence} the mean per sequence of each (the sum over a sequence's tokens,
 * averaged over sequences; {@code corpus/} keeps those of {@link SoftColumn#PER_SEQUENCE}); {@code
 * flags} the group's flags ({@link dev.softmetrics.udfs.corpus.CorpusFlags}); {@code interval} the
 * bootstrap intervals ({@link dev.softmetrics.job.analysis.SequenceBootstrap}), null when there are
 * none; {@code extraLabels} the group's values of the extra labels ({@code labels.extra}), empty
 * for none.
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
    Double macroBitsPerByte,
    Double[] soft,
    Double[] perSequence,
    java.util.List<String> flags,
    dev.softmetrics.job.aggregate.CorpusInterval interval,
    java.util.List<String> extraLabels) {

  public CorpusRow {
    flags = java.util.List.copyOf(flags);
    extraLabels = java.util.List.copyOf(extraLabels);
  }

  /** This row with the given bootstrap intervals (null for none). */
  public CorpusRow withInterval(dev.softmetrics.job.aggregate.CorpusInterval ci) {
    return new CorpusRow(
        model,
        tokenizer,
        domain,
        sequences,
        tokens,
        bytes,
        chars,
        words,
        nllSum,
        meanNll,
        pplToken,
        bitsPerToken,
        bitsPerByte,
        bitsPerChar,
        pplByte,
        pplWord,
        domains,
        macroMeanNll,
        macroBitsPerByte,
        soft,
        perSequence,
        flags,
        ci,
        extraLabels);
  }

  /** The mean per token of a soft column, or null. */
  public Double soft(SoftColumn column) {
    return soft[column.ordinal()];
  }

  /** The mean per sequence of a soft column (its sum over a sequence's tokens), or null. */
  public Double perSequence(SoftColumn column) {
    return perSequence[column.ordinal()];
  }

  /** The domain value of the per-(model, tokenizer) roll-up rows. */
  public static final String ALL_DOMAINS = "__all__";

  /** True for a roll-up row over all domains. */
  public boolean isRollup() {
    return ALL_DOMAINS.equals(domain);
  }
}
