package dev.softmetrics.udfs.corpus;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Flags on a corpus group from the practitioners' bands (METRICS.md, "Reading the numbers"): what a
 * reader would otherwise have to spot in the numbers. Each flag needs its inputs; a null input
 * raises no flag.
 *
 * <ul>
 *   <li>{@code ENTROPY_COLLAPSE}: mean entropy below a threshold (near 0: the model always predicts
 *       the same token; during RL, the policy has stopped exploring). With only top-k bounds, the
 *       upper bound must be below it.
 *   <li>{@code UNIFORM_LIKE}: mean entropy, or mean NLL (ln of token perplexity), at least a
 *       fraction of ln V: about as good as a uniform guess over the vocabulary. With only top-k
 *       bounds, the lower bound must reach it.
 *   <li>{@code KL_WARNING} and {@code KL_ALARM}: mean KL(model || reference) per token above the
 *       warning or the alarm threshold (only the alarm is raised when both hold).
 * </ul>
 *
 * @param entropyCollapseBelow nats per token
 * @param uniformFractionOfLnV in (0, 1]
 * @param klWarningAbove nats per token
 * @param klAlarmAbove nats per token, at least {@code klWarningAbove}
 */
public record CorpusFlags(
    double entropyCollapseBelow,
    double uniformFractionOfLnV,
    double klWarningAbove,
    double klAlarmAbove)
    implements Serializable {

  public static final String ENTROPY_COLLAPSE = "ENTROPY_COLLAPSE";
  public static final String UNIFORM_LIKE = "UNIFORM_LIKE";
  public static final String KL_WARNING = "KL_WARNING";
  public static final String KL_ALARM = "KL_ALARM";

  public CorpusFlags {
    if (!(entropyCollapseBelow >= 0)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid flags.entropy-collapse-below: %s (must be >= 0)", entropyCollapseBelow));
    }
    if (!(uniformFractionOfLnV > 0 && uniformFractionOfLnV <= 1)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid flags.uniform-fraction-of-ln-v: %s (must be in (0, 1])",
              uniformFractionOfLnV));
    }
    if (!(klWarningAbove >= 0 && klAlarmAbove >= klWarningAbove)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid flags.kl-warning-above %s / kl-alarm-above %s (must be 0 <= warning <= alarm)",
              klWarningAbove, klAlarmAbove));
    }
  }

  /**
   * The flags of one group, in the order of the constants above.
   *
   * @param meanEntropy exact mean entropy, or null
   * @param entropyLower lower bound of the mean entropy (top-k), or null
   * @param entropyUpper upper bound of the mean entropy (top-k), or null
   * @param meanNll mean NLL per token
   * @param vocab the vocabulary size, or {@code <= 0} when unknown
   * @param klModelToReference mean KL(model || reference) per token, or null
   */
  public List<String> of(
      Double meanEntropy,
      Double entropyLower,
      Double entropyUpper,
      double meanNll,
      long vocab,
      Double klModelToReference) {
    List<String> flags = new ArrayList<>(2);
    Double collapseTest = meanEntropy != null ? meanEntropy : entropyUpper;
    if (collapseTest != null && collapseTest < entropyCollapseBelow) {
      flags.add(ENTROPY_COLLAPSE);
    }
    if (vocab > 1) {
      double uniform = uniformFractionOfLnV * Math.log(vocab);
      Double entropyTest = meanEntropy != null ? meanEntropy : entropyLower;
      if ((entropyTest != null && entropyTest >= uniform) || meanNll >= uniform) {
        flags.add(UNIFORM_LIKE);
      }
    }
    if (klModelToReference != null) {
      if (klModelToReference > klAlarmAbove) {
        flags.add(KL_ALARM);
      } else if (klModelToReference > klWarningAbove) {
        flags.add(KL_WARNING);
      }
    }
    return flags;
  }
}
