package dev.softmetrics.udfs.sequence;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;

/**
 * Per-sequence mean negative log-likelihood and perplexity from a token count and an NLL sum:
 * {@code mean_nll = nll_sum / T} and {@code ppl = exp(mean_nll)}.
 */
public final class SequenceMetricsKernel {

  private SequenceMetricsKernel() {}

  /**
   * Writes {@code meanNll[i] = nllSum[i] / tokens[i]} and {@code ppl[i] = exp(meanNll[i])} for each
   * row {@code i} in {@code [0, tokens.getValueCount())}.
   *
   * <p>Null handling: a null {@code tokens[i]} or {@code nllSum[i]} gives null in both outputs, and
   * so does {@code tokens[i] <= 0}, which has no mean. An infinite {@code nllSum[i]} is divided as
   * is.
   *
   * <p>Ownership: the caller owns and allocates every vector; outputs are written with {@code
   * setSafe}/{@code setNull} (so they may grow) and get value count {@code n}. Nothing is retained.
   *
   * <p>Cost: O(n), one division and one {@link Math#exp} per row, no allocation.
   *
   * @param tokens the number of scored tokens per row
   * @param nllSum the summed negative log-likelihood per row, in nats
   * @param meanNll output: mean NLL per token, in nats
   * @param ppl output: per-sequence perplexity
   * @throws IllegalArgumentException if {@code nllSum} has another value count than {@code tokens}
   */
  public static void apply(
      BigIntVector tokens, Float8Vector nllSum, Float8Vector meanNll, Float8Vector ppl) {
    int n = tokens.getValueCount();
    if (nllSum.getValueCount() != n) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid nll_sum vector %s: %d values (must have the %d values of %s)",
              nllSum.getName(), nllSum.getValueCount(), n, tokens.getName()));
    }
    for (int i = 0; i < n; i++) {
      if (tokens.isNull(i) || nllSum.isNull(i) || tokens.get(i) <= 0) {
        meanNll.setNull(i);
        ppl.setNull(i);
      } else {
        double mean = nllSum.get(i) / tokens.get(i);
        meanNll.setSafe(i, mean);
        ppl.setSafe(i, Math.exp(mean));
      }
    }
    meanNll.setValueCount(n);
    ppl.setValueCount(n);
  }
}
