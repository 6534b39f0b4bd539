package dev.softmetrics.demo.europarl;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Deliberately broken copies of a good log-prob row, so that the demo's {@code rejected/} shows how
 * bad input is reported: a NaN log-prob ({@code NON_FINITE_LOGPROB}), a missing domain ({@code
 * MISSING_LABEL}) and one entropy too few ({@code EXTRA_LENGTH_MISMATCH}). Their ids end in {@code
 * -broken-...}.
 */
final class BrokenRows {
  private BrokenRows() {}

  /** Which position of the copy gets the NaN log-prob. */
  static final int NAN_POSITION = 3;

  static List<Row> of(LogprobSequence good) {
    float[] logprobs = good.tokenLogprobs().clone();
    logprobs[NAN_POSITION] = Float.NaN;
    float[] entropies = Arrays.copyOf(good.tokenEntropies(), good.tokenEntropies().length - 1);
    return List.of(
        copy(good, "-broken-nan", good.domain(), logprobs, good.tokenEntropies()).row(),
        copy(good, "-broken-domain", null, good.tokenLogprobs(), good.tokenEntropies()).row(),
        copy(good, "-broken-entropies", good.domain(), good.tokenLogprobs(), entropies).row());
  }

  private static LogprobSequence copy(
      LogprobSequence good, String suffix, String domain, float[] logprobs, float[] entropies) {
    return new LogprobSequence(
        good.sequenceId() + suffix,
        good.model(),
        good.tokenizer(),
        domain,
        good.text(),
        good.numBytes(),
        logprobs,
        entropies,
        good.refLogprobs(),
        good.topLogprobs(),
        good.vocabSize());
  }
}
