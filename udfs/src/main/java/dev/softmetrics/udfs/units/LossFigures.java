package dev.softmetrics.udfs.units;

/**
 * One corpus loss in every unit it is quoted in: nats, bits or perplexity, per token, per byte or
 * per word (docs/METRICS.md). Papers report one of them (token perplexity, bits per byte, word
 * perplexity); with the text's bytes per token or bytes per word the others follow:
 *
 * <pre>
 *   bits = nats / ln 2,  perplexity = exp(nats)
 *   nats per byte = nats per token / (bytes per token) = nats per word / (bytes per word)
 * </pre>
 *
 * <p>So word perplexity = byte perplexity ^ (bytes per word), and 2^BPB = byte perplexity. A figure
 * whose ratio is unknown is NaN. Pure functions, O(1).
 *
 * @param natsPerToken the mean NLL per token (nats), NaN when unknown
 * @param natsPerByte the NLL per UTF-8 byte (nats), NaN when unknown
 * @param natsPerWord the NLL per word (nats), NaN when unknown
 */
public record LossFigures(double natsPerToken, double natsPerByte, double natsPerWord) {

  /** ln 2, as {@code Math.log(2)}. */
  private static final double LN_2 = 0.6931471805599453;

  /** What a figure counts per what. */
  public enum Per {
    TOKEN,
    BYTE,
    WORD
  }

  /** How a figure states the loss. */
  public enum Scale {
    NATS,
    BITS,
    PERPLEXITY
  }

  /**
   * Every figure from one of them.
   *
   * @param scale how {@code value} states the loss
   * @param per what it is per
   * @param value the figure: nats or bits at least 0, a perplexity at least 1, finite
   * @param bytesPerToken UTF-8 bytes per token of the text, or NaN when unknown
   * @param bytesPerWord UTF-8 bytes per word of the text, or NaN when unknown
   * @return the figures; those that need an unknown ratio are NaN
   * @throws IllegalArgumentException for a value or ratio outside its range
   */
  public static LossFigures from(
      Scale scale, Per per, double value, double bytesPerToken, double bytesPerWord) {
    double nats = nats(scale, per, value);
    checkRatio("bytes per token", bytesPerToken);
    checkRatio("bytes per word", bytesPerWord);
    double natsPerByte =
        switch (per) {
          case TOKEN -> nats / bytesPerToken;
          case BYTE -> nats;
          case WORD -> nats / bytesPerWord;
        };
    return new LossFigures(
        per == Per.TOKEN ? nats : natsPerByte * bytesPerToken,
        natsPerByte,
        per == Per.WORD ? nats : natsPerByte * bytesPerWord);
  }

  private static double nats(Scale scale, Per per, double value) {
    String name =
        scale.name().toLowerCase(java.util.Locale.ROOT)
            + " per "
            + per.name().toLowerCase(java.util.Locale.ROOT);
    if (scale == Scale.PERPLEXITY) {
      if (!(value >= 1) || Double.isInfinite(value)) {
        throw new IllegalArgumentException(
            String.format(
                "Invalid %s: %s (must be finite and >= 1: a perplexity below 1 is a negative NLL)",
                name, value));
      }
      return Math.log(value);
    }
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          String.format("Invalid %s: %s (must be finite and >= 0)", name, value));
    }
    return scale == Scale.BITS ? value * LN_2 : value;
  }

  private static void checkRatio(String name, double ratio) {
    if (!Double.isNaN(ratio) && !(ratio > 0 && Double.isFinite(ratio))) {
      throw new IllegalArgumentException(
          String.format("Invalid %s: %s (must be finite and > 0)", name, ratio));
    }
  }

  /** Bits per token, {@code natsPerToken / ln 2}. */
  public double bitsPerToken() {
    return natsPerToken / LN_2;
  }

  /** Token perplexity, {@code exp(natsPerToken)}. */
  public double pplToken() {
    return Math.exp(natsPerToken);
  }

  /** Bits per byte (BPB), {@code natsPerByte / ln 2}. */
  public double bitsPerByte() {
    return natsPerByte / LN_2;
  }

  /** Byte perplexity, {@code exp(natsPerByte) = 2^BPB}. */
  public double pplByte() {
    return Math.exp(natsPerByte);
  }

  /** Bits per word, {@code natsPerWord / ln 2}. */
  public double bitsPerWord() {
    return natsPerWord / LN_2;
  }

  /** Word perplexity, {@code exp(natsPerWord)}. */
  public double pplWord() {
    return Math.exp(natsPerWord);
  }
}
