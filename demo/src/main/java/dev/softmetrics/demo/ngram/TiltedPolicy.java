package dev.softmetrics.demo.ngram;

import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * A policy made from a base {@link KneserNeyModel} p, the way RL fine-tuning moves a model away
 * from its reference: q(w | h) = p(w | h)^beta e^(b [w = r]) / Z(h), sharpened by beta = 1 /
 * temperature and with a bonus b on one reward token r.
 *
 * <p>Both are the exact optimum of KL-regularised reward maximisation, max_q E_q[reward] - lambda
 * KL(q || p): the reward ln p (the model's own confidence) gives beta = 1 + 1 / lambda, and the
 * reward [w = r] (a reward model that one token fools) gives b = 1 / lambda. A weaker KL penalty
 * means a larger beta or b.
 *
 * <p>Sums over all V ids take time in the explicit part of the base distribution only: for an id
 * without an explicit probability, p(w)^beta = backoff^beta p_1(w)^beta, and the policy keeps S =
 * sum_w p_1(w)^beta and L = sum_w p_1(w)^beta ln p_1(w) over the whole vocabulary.
 */
public final class TiltedPolicy {
  /** How many draws the sampler may reject before it gives up on a broken invariant. */
  private static final int MAX_REJECTIONS = 10_000_000;

  private final KneserNeyModel base;
  private final double beta;
  private final int rewardToken;
  private final double bonus;
  private final double powerSum;
  private final double powerLogSum;
  private final double[] cumulativePower;

  /**
   * A policy over {@code base}.
   *
   * @param beta the sharpening exponent, 1 / temperature (1: none)
   * @param rewardToken the id that earns the bonus, or -1 for none
   * @param bonus b >= 0, the log-factor on the reward token (0 without one)
   * @throws IllegalArgumentException if beta is not positive and finite, or the bonus or reward
   *     token is out of range
   */
  public TiltedPolicy(KneserNeyModel base, double beta, int rewardToken, double bonus) {
    if (!(beta > 0) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException(
          String.format("Invalid beta: %s (must be positive and finite)", beta));
    }
    if (!(bonus >= 0) || Double.isInfinite(bonus) || (rewardToken < 0 && bonus != 0)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid bonus: %s (must be finite and >= 0, and 0 without a reward token)", bonus));
    }
    if (rewardToken < -1 || rewardToken >= base.vocabSize()) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid rewardToken: %s (must be -1 or in [0, %d))", rewardToken, base.vocabSize()));
    }
    this.base = base;
    this.beta = beta;
    this.rewardToken = rewardToken;
    this.bonus = bonus;
    int v = base.vocabSize();
    cumulativePower = new double[v];
    double sum = 0;
    double logSum = 0;
    for (int w = 0; w < v; w++) {
      double power = power(base.unigram(w), base.logUnigram(w));
      sum += power;
      logSum += power * base.logUnigram(w);
      cumulativePower[w] = sum;
    }
    powerSum = sum;
    powerLogSum = logSum;
  }

  /** The base model itself, as a policy (beta 1, no bonus). */
  public static TiltedPolicy of(KneserNeyModel base) {
    return new TiltedPolicy(base, 1, -1, 0);
  }

  /** The policy at one context, from the base model's distribution there. */
  public Position at(NextTokenDistribution d) {
    if (d.model() != base) {
      throw new IllegalArgumentException("Invalid distribution: from another model than the base");
    }
    return new Position(d);
  }

  /** p^beta, from p and ln p (exact for beta = 1). */
  private double power(double p, double logp) {
    return beta == 1 ? p : StrictMath.exp(beta * logp);
  }

  /** The policy's distribution at one context: O(explicit ids) to build. */
  public final class Position {
    private final NextTokenDistribution d;
    private final double logZ;
    private final double z;
    private final double entropy;
    private final double restWeight;
    private final double rewardWeight;

    private Position(NextTokenDistribution d) {
      this.d = d;
      double explicitPower = 0;
      double explicitPowerLog = 0;
      double explicitUnigramPower = 0;
      double explicitUnigramPowerLog = 0;
      for (int i = 0; i < d.explicitCount(); i++) {
        double p = d.explicitProbability(i);
        double logp = StrictMath.log(p);
        double power = power(p, logp);
        explicitPower += power;
        explicitPowerLog += power * logp;
        double logUnigram = base.logUnigram(d.explicitId(i));
        double unigramPower = power(base.unigram(d.explicitId(i)), logUnigram);
        explicitUnigramPower += unigramPower;
        explicitUnigramPowerLog += unigramPower * logUnigram;
      }
      double logBackoff = StrictMath.log(d.backoff());
      double backoffPower = power(d.backoff(), logBackoff);
      double restPower = Math.max(0, powerSum - explicitUnigramPower);
      double restPowerLog = powerLogSum - explicitUnigramPowerLog;
      restWeight = backoffPower * restPower;
      // sum_w p^beta and sum_w p^beta ln p over all V ids.
      double all = explicitPower + restWeight;
      double allLog = explicitPowerLog + backoffPower * (logBackoff * restPower + restPowerLog);
      double rewarded = 0;
      if (rewardToken >= 0) {
        double p = d.probability(rewardToken);
        double logp = StrictMath.log(p);
        double extra = power(p, logp) * StrictMath.expm1(bonus);
        all += extra;
        allLog += extra * logp;
        rewarded = power(p, logp) * StrictMath.exp(bonus);
      }
      rewardWeight = rewarded;
      z = all;
      logZ = StrictMath.log(all);
      entropy = logZ - (beta * allLog + bonus * rewarded) / all;
    }

    /** ln q(w). */
    public double logprob(int w) {
      return beta * StrictMath.log(d.probability(w)) + (w == rewardToken ? bonus : 0) - logZ;
    }

    /** H(q) = -sum_w q(w) ln q(w), over all V ids. */
    public double entropy() {
      return entropy;
    }

    /** Writes ln q(w) for every id into {@code out[0 .. V)}. O(V). */
    public void logprobs(double[] out) {
      d.logprobs(out);
      for (int w = 0; w < base.vocabSize(); w++) {
        out[w] = beta * out[w] - logZ;
      }
      if (rewardToken >= 0) {
        out[rewardToken] += bonus;
      }
    }

    /** The {@code k} largest ln q(w), descending. */
    public double[] top(int k) {
      int[] candidates = baseTop(k);
      double[] logprobs = new double[candidates.length];
      for (int i = 0; i < candidates.length; i++) {
        logprobs[i] = logprob(candidates[i]);
      }
      Arrays.sort(logprobs);
      double[] top = new double[Math.min(k, logprobs.length)];
      for (int i = 0; i < top.length; i++) {
        top[i] = logprobs[logprobs.length - 1 - i];
      }
      return top;
    }

    /** The ids of the base's k most probable tokens, and the reward token. */
    private int[] baseTop(int k) {
      int[] best = new int[k + 1];
      double[] bestP = new double[k + 1];
      Arrays.fill(bestP, -1);
      int n = 0;
      for (int i = 0; i < d.explicitCount(); i++) {
        n = insert(best, bestP, n, k, d.explicitId(i), d.explicitProbability(i));
      }
      int found = 0;
      for (int w : base.byUnigramDescending()) {
        if (found == k) {
          break;
        }
        if (!d.isExplicit(w)) {
          n = insert(best, bestP, n, k, w, d.backoff() * base.unigram(w));
          found++;
        }
      }
      if (rewardToken >= 0 && Arrays.stream(best, 0, n).noneMatch(w -> w == rewardToken)) {
        best[n++] = rewardToken;
      }
      return Arrays.copyOf(best, n);
    }

    /**
     * Draws an id from q with uniforms from {@code uniform}: the reward token, an explicit id, or
     * one of the rest, drawn from p_1^beta by rejecting the explicit ids and the reward token.
     */
    public int sample(DoubleSupplier uniform) {
      double u = uniform.getAsDouble() * z;
      if (u < rewardWeight) {
        return rewardToken;
      }
      u -= rewardWeight;
      for (int i = 0; i < d.explicitCount(); i++) {
        if (d.explicitId(i) != rewardToken) {
          double p = d.explicitProbability(i);
          u -= power(p, StrictMath.log(p));
          if (u < 0) {
            return d.explicitId(i);
          }
        }
      }
      if (restWeight <= 0) {
        throw new IllegalStateException(
            "Cannot sample: no probability left outside the explicit ids");
      }
      for (int attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
        double target = uniform.getAsDouble() * powerSum;
        int i = Arrays.binarySearch(cumulativePower, target);
        int w = Math.min(i >= 0 ? i + 1 : -i - 1, cumulativePower.length - 1);
        if (w != rewardToken && !d.isExplicit(w)) {
          return w;
        }
      }
      throw new IllegalStateException(
          "Cannot sample: " + MAX_REJECTIONS + " draws from p_1^beta all fell on explicit ids");
    }
  }

  private static int insert(int[] ids, double[] probs, int n, int k, int id, double p) {
    if (n == k && p <= probs[k - 1]) {
      return n;
    }
    int j = n < k ? n++ : k - 1;
    while (j > 0 && probs[j - 1] < p) {
      ids[j] = ids[j - 1];
      probs[j] = probs[j - 1];
      j--;
    }
    ids[j] = id;
    probs[j] = p;
    return n;
  }
}
