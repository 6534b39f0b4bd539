package dev.softmetrics.udfs.logits;

/**
 * The soft metrics of one position, in nats, written by a {@link SoftmaxKernel} (mutable, so that a
 * loop over positions allocates nothing). Fields a call does not compute are NaN.
 */
public final class PositionMetrics {
  /** ln sum_i exp(z_i) of the model's logits. */
  public double logSumExp = Double.NaN;

  /** -log q_y: the model's negative log-likelihood of the target; +inf if its logit is -inf. */
  public double nll = Double.NaN;

  /** H(Q) = -sum_i q_i ln q_i of the model's distribution; a term with q_i = 0 counts 0. */
  public double entropy = Double.NaN;

  /** ln sum_i exp(r_i) of the reference's logits. */
  public double refLogSumExp = Double.NaN;

  /** H(P) of the reference's distribution. */
  public double refEntropy = Double.NaN;

  /**
   * KL(P_ref || Q_model) >= 0, +inf where the model gives 0 (a -inf logit) to a token the reference
   * does not (a finite logit, even one whose probability underflows).
   */
  public double klForward = Double.NaN;

  /** KL(Q_model || P_ref) >= 0, +inf where the reference gives 0 to a token the model does not. */
  public double klReverse = Double.NaN;

  /** H(P_ref, Q_model) = H(P) + KL(P || Q): the model's cross-entropy against the reference. */
  public double crossEntropyRef = Double.NaN;

  // The pieces of the log-sum-exps, kept apart so that differences of nearly equal large numbers
  // (logits of 1e4) are taken between exactly known maxima: m and ln sum_i exp(z_i - m).
  double shift = Double.NaN;
  double lnSum = Double.NaN;
  double refShift = Double.NaN;
  double refLnSum = Double.NaN;

  // Scratch of the vector kernel: S = sum_i exp(z_i - m) and W = sum_i exp(z_i - m) (z_i - m).
  double expSum;
  double expWeightedSum;

  // Scratch of both kernels: the partial sums of a pass (SoftmaxDefinitions.LANES each).
  final double[] lanesA = new double[SoftmaxDefinitions.LANES];
  final double[] lanesB = new double[SoftmaxDefinitions.LANES];

  /** Sets every field to NaN. */
  public void clear() {
    logSumExp = nll = entropy = Double.NaN;
    refLogSumExp = refEntropy = klForward = klReverse = crossEntropyRef = Double.NaN;
    shift = lnSum = refShift = refLnSum = Double.NaN;
  }
}
