package dev.softmetrics.demo.europarl;

import dev.softmetrics.corpora.SplitMixStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The checkpoints' rollouts: per language, the first {@value #PER_LANGUAGE} held-out documents give
 * their first {@value #PROMPT_TOKENS} tokens as a prompt, and each {@link RlCheckpoint} continues
 * every prompt with {@value #TOKENS} tokens drawn from its own policy at temperature 1, as an RL
 * run samples (so that E[k1] = E[k3] = KL(policy || reference)). The scored tokens are the drawn
 * ones; the reference is {@value TokenizerModels#MODEL}, the model the checkpoints start from.
 */
final class Rollouts {
  private Rollouts() {}

  /** Prompt tokens before each rollout (not scored). */
  static final int PROMPT_TOKENS = 16;

  /** Tokens drawn and scored per rollout. */
  static final int TOKENS = 24;

  /** Prompts per language. */
  static final int PER_LANGUAGE = 12;

  /** The domain label of the rollouts. */
  static final String DOMAIN = "rollout";

  private static final long STREAM = 0x524F4C4C4F555453L;

  /**
   * One rollout.
   *
   * @param language the prompt's language
   * @param checkpoint the checkpoint that drew it
   * @param tokens the prompt and the drawn tokens
   * @param scored its row
   */
  record Rollout(String language, RlCheckpoint checkpoint, int[] tokens, LogprobSequence scored) {}

  /**
   * Every checkpoint's rollouts, checkpoint by checkpoint. The draws of the rollout of checkpoint c
   * from held-out document i come from SplitMix64 stream (seed, c * 2^32 + i).
   */
  static List<Rollout> draw(EuroparlSplit split, TokenizerModels m, long seed) {
    List<Integer> prompts = prompts(split, m);
    List<Rollout> rollouts = new ArrayList<>();
    for (int c = 0; c < RlCheckpoint.SERIES.size(); c++) {
      RlCheckpoint checkpoint = RlCheckpoint.SERIES.get(c);
      PolicyScorer scorer =
          new PolicyScorer(checkpoint.policy(m.model(), m.tokenizer()), m.model(), m.model());
      long first = (long) c << 32;
      rollouts.addAll(
          prompts.parallelStream()
              .map(
                  i -> {
                    EuroparlDocument d = split.heldOut().get(i);
                    int[] tokens = Arrays.copyOf(m.heldOut().get(i), PROMPT_TOKENS + TOKENS);
                    SplitMixStream random =
                        new SplitMixStream(SplitMixStream.streamSeed(seed, STREAM, first + i));
                    PolicyScorer.Labels labels =
                        new PolicyScorer.Labels(
                            d.id() + "-rollout", checkpoint.name(), m.tokenizer(), DOMAIN);
                    return new Rollout(
                        d.language(),
                        checkpoint,
                        tokens,
                        scorer.score(labels, tokens, PROMPT_TOKENS, random::nextDouble));
                  })
              .toList());
    }
    return rollouts;
  }

  private static List<Integer> prompts(EuroparlSplit split, TokenizerModels m) {
    List<Integer> prompts = new ArrayList<>();
    for (String language : EuroparlSplit.LANGUAGES) {
      IntStream.range(0, split.heldOut().size())
          .filter(i -> split.heldOut().get(i).language().equals(language))
          .filter(i -> m.heldOut().get(i).length >= PROMPT_TOKENS)
          .limit(PER_LANGUAGE)
          .forEach(prompts::add);
    }
    return prompts;
  }
}
