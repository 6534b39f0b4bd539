package dev.softmetrics.demo.europarl;

import dev.softmetrics.demo.ngram.KneserNeyModel;
import dev.softmetrics.demo.ngram.TiltedPolicy;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * Scores token sequences under a policy the way an inference engine reports them: at each scored
 * position the policy's log-prob of the token, its entropy, its top-{@value #TOP_K} log-probs and a
 * reference model's log-prob of the same token. With a sampler, the scored tokens are drawn from
 * the policy as they are scored (a rollout); without one, they are given (teacher forcing).
 */
public final class PolicyScorer {
  /** How many log-probs {@code top_logprobs} keeps per position. */
  public static final int TOP_K = 5;

  private final TiltedPolicy policy;
  private final KneserNeyModel base;
  private final KneserNeyModel reference;

  /**
   * A scorer of {@code policy}.
   *
   * @param policy the scored policy
   * @param base the model the policy is made from
   * @param reference the model for {@code ref_logprobs}, or null for none
   */
  public PolicyScorer(TiltedPolicy policy, KneserNeyModel base, KneserNeyModel reference) {
    this.policy = policy;
    this.base = base;
    this.reference = reference;
  }

  /** The labels of a sequence. */
  public record Labels(String sequenceId, String model, DemoTokenizer tokenizer, String domain) {}

  /**
   * Scores positions {@code from} to {@code tokens.length - 1}. With {@code uniforms} non-null, the
   * token at each of them is first drawn from the policy (with uniforms in [0, 1) from it) and
   * written into {@code tokens}.
   */
  LogprobSequence score(Labels labels, int[] tokens, int from, DoubleSupplier uniforms) {
    int n = tokens.length - from;
    float[] logprobs = new float[n];
    float[] entropies = new float[n];
    float[] refs = reference == null ? null : new float[n];
    float[][] top = new float[n][];
    for (int i = 0; i < n; i++) {
      int t = from + i;
      TiltedPolicy.Position q = policy.at(base.distribution(tokens, t));
      if (uniforms != null) {
        tokens[t] = q.sample(uniforms);
      }
      logprobs[i] = (float) q.logprob(tokens[t]);
      entropies[i] = (float) q.entropy();
      top[i] = narrow(q.top(TOP_K));
      if (refs != null) {
        refs[i] = (float) StrictMath.log(reference.probability(tokens, t));
      }
    }
    byte[] bytes = labels.tokenizer().decodeBytes(Arrays.copyOfRange(tokens, from, tokens.length));
    return new LogprobSequence(
        labels.sequenceId(),
        labels.model(),
        labels.tokenizer().label(),
        labels.domain(),
        utf8(bytes),
        bytes.length,
        logprobs,
        entropies,
        refs,
        top,
        labels.tokenizer().vocabSize());
  }

  /** The text {@code bytes} encode, or null if they are not valid UTF-8. */
  static String utf8(byte[] bytes) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static float[] narrow(double[] values) {
    float[] floats = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      floats[i] = (float) values[i];
    }
    return floats;
  }
}
