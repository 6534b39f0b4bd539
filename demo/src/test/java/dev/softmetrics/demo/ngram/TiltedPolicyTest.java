package dev.softmetrics.demo.ngram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.corpora.SplitMixStream;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy's fast sums against the plain definitions over all V ids: q(w) = p(w)^beta e^(b [w =
 * r]) / Z from the base's full distribution, H(q) = -sum q ln q, the top-k, and draws whose
 * frequencies match q.
 */
class TiltedPolicyTest {
  private static final int VOCAB = 80;
  private static final List<int[]> TRAINING = KneserNeyModelTest.randomCorpus(VOCAB, 11);
  private static final KneserNeyModel MODEL = KneserNeyModel.train(3, VOCAB, TRAINING);

  static Stream<Arguments> policies() {
    return Stream.of(
        Arguments.of(1.0, -1, 0.0),
        Arguments.of(2.5, -1, 0.0),
        Arguments.of(20.0, -1, 0.0),
        Arguments.of(0.5, -1, 0.0),
        Arguments.of(1.0, 7, 3.0),
        Arguments.of(4.0, 0, 1.5),
        Arguments.of(1.0, VOCAB - 1, 12.0));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void logprobsEntropyAndTopAreTheDefinitionsOverTheWholeVocabulary(
      double beta, int reward, double bonus) {
    TiltedPolicy policy = new TiltedPolicy(MODEL, beta, reward, bonus);
    double[] fast = new double[VOCAB];
    for (int[] tokens : contexts()) {
      for (int t = 0; t < tokens.length; t++) {
        NextTokenDistribution d = MODEL.distribution(tokens, t);
        double[] q = definition(d, beta, reward, bonus);
        TiltedPolicy.Position position = policy.at(d);
        double entropy = 0;
        for (int w = 0; w < VOCAB; w++) {
          assertThat(position.logprob(w)).isCloseTo(Math.log(q[w]), within(1e-11));
          entropy -= q[w] > 0 ? q[w] * Math.log(q[w]) : 0;
        }
        assertThat(position.entropy()).isCloseTo(entropy, within(1e-11));
        position.logprobs(fast);
        for (int w = 0; w < VOCAB; w++) {
          assertThat(fast[w]).isCloseTo(Math.log(q[w]), within(1e-11));
        }
        double[] sorted = Arrays.stream(q).map(Math::log).sorted().toArray();
        double[] top = position.top(5);
        for (int i = 0; i < 5; i++) {
          assertThat(top[i]).isCloseTo(sorted[VOCAB - 1 - i], within(1e-11));
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void drawsFollowThePolicy(double beta, int reward, double bonus) {
    TiltedPolicy policy = new TiltedPolicy(MODEL, beta, reward, bonus);
    // A context seen in training (explicit ids and the rest) and one never seen (only the rest).
    for (int[] tokens : List.of(TRAINING.get(0), new int[] {VOCAB - 1, VOCAB - 1})) {
      int t = Math.min(2, tokens.length - 1);
      NextTokenDistribution d = MODEL.distribution(tokens, t);
      double[] q = definition(d, beta, reward, bonus);
      TiltedPolicy.Position position = policy.at(d);
      SplitMixStream random = new SplitMixStream(123);
      int n = 200_000;
      int[] counts = new int[VOCAB];
      for (int i = 0; i < n; i++) {
        counts[position.sample(random::nextDouble)]++;
      }
      for (int w = 0; w < VOCAB; w++) {
        double sd = Math.sqrt(q[w] * (1 - q[w]) / n);
        assertThat((double) counts[w] / n).as("id %d", w).isCloseTo(q[w], within(5 * sd + 1e-5));
      }
    }
  }

  @Test
  void theBaseAsAPolicyIsTheBase() {
    TiltedPolicy policy = TiltedPolicy.of(MODEL);
    int[] tokens = TRAINING.get(1);
    for (int t = 0; t < tokens.length; t++) {
      NextTokenDistribution d = MODEL.distribution(tokens, t);
      assertThat(policy.at(d).logprob(tokens[t]))
          .isCloseTo(Math.log(MODEL.probability(tokens, t)), within(1e-14));
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> new TiltedPolicy(MODEL, 0, -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid beta: 0.0 (must be positive and finite)");
    assertThatThrownBy(() -> new TiltedPolicy(MODEL, 1, -1, 2))
        .hasMessage("Invalid bonus: 2.0 (must be finite and >= 0, and 0 without a reward token)");
    assertThatThrownBy(() -> new TiltedPolicy(MODEL, 1, VOCAB, 2))
        .hasMessage("Invalid rewardToken: 80 (must be -1 or in [0, 80))");
    KneserNeyModel other = KneserNeyModel.train(2, VOCAB, TRAINING);
    assertThatThrownBy(() -> TiltedPolicy.of(MODEL).at(other.distribution(new int[] {1}, 0)))
        .hasMessage("Invalid distribution: from another model than the base");
  }

  /** q over all V ids, from the base's log-probs, the plain way. */
  private static double[] definition(
      NextTokenDistribution d, double beta, int reward, double bonus) {
    double[] logp = new double[VOCAB];
    d.logprobs(logp);
    double[] q = new double[VOCAB];
    double z = 0;
    for (int w = 0; w < VOCAB; w++) {
      q[w] = Math.exp(beta * logp[w] + (w == reward ? bonus : 0));
      z += q[w];
    }
    for (int w = 0; w < VOCAB; w++) {
      q[w] /= z;
    }
    return q;
  }

  private static List<int[]> contexts() {
    List<int[]> contexts = new java.util.ArrayList<>(TRAINING.subList(0, 10));
    contexts.addAll(KneserNeyModelTest.randomCorpus(VOCAB, 5).subList(0, 10));
    return contexts;
  }
}
