package dev.softmetrics.demo.europarl;

import dev.softmetrics.demo.ngram.TiltedPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;

/**
 * The held-out documents in the log-prob layout: each under every tokenizer, scored by {@value
 * TokenizerModels#MODEL} (with its reference's log-probs) and by {@value TokenizerModels#REFERENCE}
 * (without), followed by the {@link BrokenRows} of the first row.
 */
final class HeldOutCorpus {
  private HeldOutCorpus() {}

  static List<Row> rows(EuroparlSplit split, List<TokenizerModels> models) {
    List<LogprobSequence> scored = new ArrayList<>();
    for (TokenizerModels m : models) {
      scored.addAll(
          score(
              split,
              m,
              TokenizerModels.MODEL,
              new PolicyScorer(TiltedPolicy.of(m.model()), m.model(), m.reference())));
      scored.addAll(
          score(
              split,
              m,
              TokenizerModels.REFERENCE,
              new PolicyScorer(TiltedPolicy.of(m.reference()), m.reference(), null)));
    }
    List<Row> rows = new ArrayList<>(scored.stream().map(LogprobSequence::row).toList());
    rows.addAll(BrokenRows.of(scored.get(0)));
    return rows;
  }

  private static List<LogprobSequence> score(
      EuroparlSplit split, TokenizerModels m, String model, PolicyScorer scorer) {
    return IntStream.range(0, split.heldOut().size())
        .parallel()
        .mapToObj(
            i -> {
              EuroparlDocument d = split.heldOut().get(i);
              return scorer.score(
                  new PolicyScorer.Labels(d.id(), model, m.tokenizer(), d.language()),
                  m.heldOut().get(i).clone(),
                  0,
                  null);
            })
        .toList();
  }
}
