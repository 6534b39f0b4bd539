package dev.softmetrics.demo.europarl;

import dev.softmetrics.demo.ngram.KneserNeyModel;
import dev.softmetrics.demo.ngram.TiltedPolicy;
import java.util.List;

/**
 * A checkpoint of an imagined RL fine-tuning of {@value TokenizerModels#MODEL}, made exactly: the
 * optimum of max_q E_q[reward] - lambda KL(q || p) over next-token distributions q, with p the
 * model (see {@link TiltedPolicy}).
 *
 * <p>Two runs. In the first the reward is the model's own log-prob (a "confidence" reward) and the
 * KL penalty weakens from checkpoint to checkpoint: the optimum is p at temperature lambda / (1 +
 * lambda), and the entropy collapses while the KL stays moderate. In the second a reward model pays
 * 1 for the token {@value #REWARD_TEXT} and the optimum is p e^(b [w = banana]) / Z with b = 1 /
 * lambda: once b outweighs the token's improbability the policy says banana over and over, and its
 * KL from the model reaches the warning and alarm bands.
 *
 * @param name the model label of the checkpoint's rows
 * @param temperature the sharpening temperature, 1 / beta
 * @param bonus b, the log-factor on the reward token (0: none)
 */
public record RlCheckpoint(String name, double temperature, double bonus) {

  /** The text of the reward token; one token in the tokenizers the demo uses. */
  public static final String REWARD_TEXT = " banana";

  /** The checkpoints the demo scores, in the order of the two runs. */
  public static final List<RlCheckpoint> SERIES =
      List.of(
          new RlCheckpoint("kn3-T1.00", 1, 0),
          new RlCheckpoint("kn3-T0.50", 0.5, 0),
          new RlCheckpoint("kn3-T0.20", 0.2, 0),
          new RlCheckpoint("kn3-T0.05", 0.05, 0),
          new RlCheckpoint("kn3-banana-13", 1, 13),
          new RlCheckpoint("kn3-banana-16", 1, 16));

  /** The checkpoint's policy over {@code model}. */
  public TiltedPolicy policy(KneserNeyModel model, DemoTokenizer tokenizer) {
    if (bonus == 0) {
      return new TiltedPolicy(model, 1 / temperature, -1, 0);
    }
    int[] reward = tokenizer.encode(REWARD_TEXT);
    if (reward.length != 1) {
      throw new IllegalStateException(
          String.format(
              "Cannot reward \"%s\": %d tokens in %s (must be 1)",
              REWARD_TEXT, reward.length, tokenizer.label()));
    }
    return new TiltedPolicy(model, 1 / temperature, reward[0], bonus);
  }
}
