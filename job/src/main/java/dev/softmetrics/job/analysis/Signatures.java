package dev.softmetrics.job.analysis;

import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.aggregate.ExtraLabelOrder;
import dev.softmetrics.udfs.bootstrap.PoissonWeights;
import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import java.io.Serializable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequences summed by <em>signature</em>, the set of models that scored a sequence in a domain: per
 * (domain, signature, model), one {@link ReplicateSums}, each sequence weighted once ({@link
 * PoissonWeights}, from its key). A model's group sums are the sum over the signatures it belongs
 * to; a pair's are, side by side, the sums over the signatures holding both, with the same weights
 * on both sides, which is what makes the bootstrap paired. Used where the rows of each sequence
 * meet: in the tasks of {@link SequenceBootstrap}, and on the driver for the sequences that several
 * models scored ({@link SampledAnalysis}). Not thread-safe.
 */
final class Signatures {
  /** A model under a tokenizer, with the extra labels of what it scored (empty for none). */
  record Scorer(String model, String tokenizer, List<String> extraLabels) implements Serializable {}

  /** One row of a sequence: who scored it, and its sums. */
  record Score(Scorer scorer, double nll, long tokens, long bytes) {}

  private static final Comparator<Scorer> SCORER_ORDER =
      Comparator.comparing(Scorer::model)
          .thenComparing(Scorer::tokenizer)
          .thenComparing(Scorer::extraLabels, ExtraLabelOrder.INSTANCE);

  /** The models that scored a sequence, sorted, in a domain. */
  private record Signature(String domain, List<Scorer> scorers) {}

  /** Per model of a signature, its replicate sums over the signature's sequences. */
  private static final class SignatureSums {
    final ReplicateSums[] byScorer;
    long sequences;

    SignatureSums(int scorers, int replicates) {
      byScorer = new ReplicateSums[scorers];
      for (int i = 0; i < scorers; i++) {
        byScorer[i] = new ReplicateSums(replicates);
      }
    }
  }

  private final int replicates;
  private final Map<Signature, SignatureSums> signatures = new HashMap<>();

  Signatures(int replicates) {
    this.replicates = replicates;
  }

  /**
   * Adds the rows of one sequence of {@code domain} whose {@link PoissonWeights#sequenceKey} is
   * {@code key}. A model with two rows for one sequence (duplicated input) adds both, resampled
   * together.
   */
  void addSequence(String domain, long key, List<Score> rows) {
    List<Scorer> scorers =
        rows.stream().map(Score::scorer).distinct().sorted(SCORER_ORDER).toList();
    SignatureSums sums =
        signatures.computeIfAbsent(
            new Signature(domain, scorers), k -> new SignatureSums(scorers.size(), replicates));
    sums.sequences++;
    // Each row draws the sequence's weights again inside its sum loop (ReplicateSums.addDrawn: the
    // same weights as PoissonWeights.weights(key), bit for bit), which costs less than drawing them
    // once and adding them per row.
    for (Score s : rows) {
      sums.byScorer[scorers.indexOf(s.scorer())].addDrawn(key, s.nll(), s.tokens(), s.bytes());
    }
  }

  /**
   * The sums of every pair (and, with {@code groups}, of every model's group), per domain and over
   * all domains, merged into {@code out}.
   */
  void expand(boolean groups, Map<AnalysisKey, PairSums> out) {
    signatures.forEach((signature, sums) -> expand(signature, sums, groups, out));
  }

  private void expand(
      Signature signature, SignatureSums sums, boolean groups, Map<AnalysisKey, PairSums> out) {
    List<Scorer> scorers = signature.scorers();
    for (String domain : List.of(signature.domain(), CorpusRow.ALL_DOMAINS)) {
      for (int i = 0; i < scorers.size(); i++) {
        Scorer a = scorers.get(i);
        if (groups) {
          out.computeIfAbsent(
                  new GroupKey(a.model(), a.tokenizer(), domain, a.extraLabels()),
                  k -> PairSums.group(replicates))
              .merge(PairSums.of(sums.byScorer[i], sums.sequences));
        }
        for (int j = i + 1; j < scorers.size(); j++) {
          Scorer b = scorers.get(j);
          out.computeIfAbsent(
                  new PairKey(
                      a.model(), a.tokenizer(), b.model(), b.tokenizer(), domain, a.extraLabels()),
                  k -> PairSums.pair(replicates))
              .addPaired(sums.byScorer[i], sums.byScorer[j], sums.sequences);
        }
      }
    }
  }
}
