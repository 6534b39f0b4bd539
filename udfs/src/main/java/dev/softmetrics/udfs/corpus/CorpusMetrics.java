package dev.softmetrics.udfs.corpus;

/**
 * Corpus-level metrics from totals already summed over a group (micro, or pooled, aggregation, as
 * lm-evaluation-harness and Paloma compute them), and the macro mean across groups.
 *
 * <p>Every method is a pure function of its arguments: O(1) (O(length) for {@link #macroMean}), no
 * allocation, nothing owned or retained. A denominator {@code <= 0} gives {@link Double#NaN}, which
 * the caller writes as null; infinite or NaN sums propagate as IEEE arithmetic does.
 */
public final class CorpusMetrics {

  /** ln 2, as {@code Math.log(2)}. */
  private static final double LN_2 = 0.6931471805599453;

  private CorpusMetrics() {}

  /**
   * Mean negative log-likelihood per token: {@code sum nll_sum / sum T}, in nats.
   *
   * @param nllSum summed NLL of the group, in nats
   * @param tokens summed scored tokens of the group
   * @return the mean NLL, or NaN if {@code tokens <= 0}
   */
  public static double meanNll(double nllSum, long tokens) {
    return tokens <= 0 ? Double.NaN : nllSum / tokens;
  }

  /**
   * Token perplexity: {@code exp(sum nll_sum / sum T)}, never the mean of per-sequence
   * perplexities.
   *
   * @param nllSum summed NLL of the group, in nats
   * @param tokens summed scored tokens of the group
   * @return the token perplexity, or NaN if {@code tokens <= 0}
   */
  public static double pplToken(double nllSum, long tokens) {
    return Math.exp(meanNll(nllSum, tokens));
  }

  /**
   * Bits per token: {@code mean_nll / ln 2}.
   *
   * @param nllSum summed NLL of the group, in nats
   * @param tokens summed scored tokens of the group
   * @return bits per token, or NaN if {@code tokens <= 0}
   */
  public static double bitsPerToken(double nllSum, long tokens) {
    return meanNll(nllSum, tokens) / LN_2;
  }

  /**
   * Bits per byte (BPB): {@code sum nll_sum / (ln 2 * sum bytes)}; comparable across tokenisers.
   *
   * @param nllSum summed NLL of the group, in nats
   * @param bytes summed UTF-8 bytes of the scored text
   * @return bits per byte, or NaN if {@code bytes <= 0}
   */
  public static double bitsPerByte(double nllSum, long bytes) {
    return bytes <= 0 ? Double.NaN : nllSum / (LN_2 * bytes);
  }

  /**
   * Bits per character (BPC): {@code sum nll_sum / (ln 2 * sum chars)}, chars being code points.
   *
   * @param nllSum summed NLL of the group, in nats
   * @param chars summed Unicode code points of the scored text
   * @return bits per character, or NaN if {@code chars <= 0}
   */
  public static double bitsPerChar(double nllSum, long chars) {
    return chars <= 0 ? Double.NaN : nllSum / (LN_2 * chars);
  }

  /**
   * Byte perplexity: {@code exp(sum nll_sum / sum bytes)}, which equals {@code 2^BPB}.
   *
   * @param nllSum summed NLL of the group, in nats
   * @param bytes summed UTF-8 bytes of the scored text
   * @return the byte perplexity, or NaN if {@code bytes <= 0}
   */
  public static double pplByte(double nllSum, long bytes) {
    return bytes <= 0 ? Double.NaN : Math.exp(nllSum / bytes);
  }

  /**
   * Word perplexity: {@code exp(sum nll_sum / sum words)}, which equals {@code ppl_byte ^ (sum
   * bytes / sum words)}.
   *
   * @param nllSum summed NLL of the group, in nats
   * @param words summed words of the scored text, as lm-evaluation-harness counts them
   * @return the word perplexity, or NaN if {@code words <= 0}
   */
  public static double pplWord(double nllSum, long words) {
    return words <= 0 ? Double.NaN : Math.exp(nllSum / words);
  }

  /**
   * Macro mean: the unweighted mean of one value per group (for example each domain's BPB or mean
   * NLL), summed left to right. Report it labelled as macro, with the number of groups.
   *
   * @param values one value per group; not null
   * @return the mean, or NaN if {@code values} is empty
   */
  public static double macroMean(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum / values.length;
  }
}
