package dev.softmetrics.job.analysis;

import dev.softmetrics.job.aggregate.ExtraLabelOrder;
import java.util.Comparator;
import java.util.List;

/**
 * Two (model, tokenizer) pairs compared in a domain ({@code __all__} for all domains), among the
 * sequences with the same extra labels ({@code labels.extra}, empty for none); side a sorts before
 * side b by model, then tokenizer.
 */
record PairKey(
    String modelA,
    String tokenizerA,
    String modelB,
    String tokenizerB,
    String domain,
    List<String> extraLabels)
    implements AnalysisKey {

  /** Output order: by the pair, then by domain with {@code __all__} last. */
  static final Comparator<PairKey> ORDER =
      Comparator.comparing(PairKey::modelA)
          .thenComparing(PairKey::tokenizerA)
          .thenComparing(PairKey::modelB)
          .thenComparing(PairKey::tokenizerB)
          .thenComparing(PairKey::extraLabels, ExtraLabelOrder.INSTANCE)
          .thenComparing(
              k -> dev.softmetrics.job.aggregate.CorpusRow.ALL_DOMAINS.equals(k.domain()))
          .thenComparing(PairKey::domain);

  /** The same pair over all domains. */
  PairKey rollup() {
    return new PairKey(
        modelA,
        tokenizerA,
        modelB,
        tokenizerB,
        dev.softmetrics.job.aggregate.CorpusRow.ALL_DOMAINS,
        extraLabels);
  }
}
