package dev.softmetrics.demo.ngram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kneser-Ney probabilities worked out by hand on a tiny corpus, the sum over V at every context,
 * and the discount estimate.
 *
 * <p>The corpus: V = 4 (a = 0, b = 1, c = 2, d = 3), sequences "a b a b" and "b a c", every
 * discount 0.5. Padded with the start symbol S, its bigrams are (S a) (a b) (b a) (a b) (S b) (b a)
 * (a c): raw counts (S a) 1, (S b) 1, (a b) 2, (a c) 1, (b a) 2. Unigram continuation counts
 * (distinct predecessors): a 2 (S, b), b 2 (a, S), c 1 (a), d 0; 5 in all, 3 types. So
 *
 * <pre>
 *   p1(w) = max(N(w) - 0.5, 0) / 5 + 0.5 * 3 / (5 * 4):  a 0.375, b 0.375, c 0.175, d 0.075
 *   after a (c = 3, 2 followers, gamma = 0.5 * 2 / 3 = 1/3):
 *     p(b|a) = 1.5 / 3 + 0.375 / 3 = 0.625      p(c|a) = 0.5 / 3 + 0.175 / 3 = 0.225
 *     p(a|a) = 0.375 / 3 = 0.125                 p(d|a) = 0.075 / 3 = 0.025
 *   after S (c = 2, 2 followers, gamma = 0.5): p(a|S) = 0.25 + 0.5 * 0.375 = 0.4375
 * </pre>
 *
 * For the trigram model, the trigrams (S S a) (S a b) (a b a) (b a b) (S S b) (S b a) (b a c) all
 * occur once, and their suffixes give the bigram level the same numbers as the raw counts above ((a
 * b) follows S and b, (b a) follows a and S, ...), so p2 is the bigram model and
 *
 * <pre>
 *   after (b a) (c = 2, 2 followers, gamma = 0.5):
 *     p(b|b a) = 0.25 + 0.5 * 0.625 = 0.5625     p(c|b a) = 0.25 + 0.5 * 0.225 = 0.3625
 *     p(a|b a) = 0.5 * 0.125 = 0.0625            p(d|b a) = 0.5 * 0.025 = 0.0125
 *   after (S S): p(a|S S) = 0.25 + 0.5 * p2(a|S) = 0.25 + 0.5 * 0.4375 = 0.46875
 *   after (a a), never seen: p(w|a a) = p2(w|a)
 * </pre>
 */
class KneserNeyModelTest {
  private static final int A = 0;
  private static final int B = 1;
  private static final int C = 2;
  private static final int D = 3;
  private static final List<int[]> CORPUS = List.of(new int[] {A, B, A, B}, new int[] {B, A, C});
  private static final double[] HALF = {0.5, 0.5, 0.5};

  @Test
  void unigramModelIsTheInterpolatedContinuationDistribution() {
    KneserNeyModel m = KneserNeyModel.train(1, 4, CORPUS, HALF);
    // Order 1 alone uses raw unigram counts: a 3, b 3, c 1 of 7, 3 types.
    double floor = 0.5 * 3 / (7.0 * 4);
    assertThat(m.probability(new int[] {A}, 0)).isCloseTo(2.5 / 7 + floor, within(1e-15));
    assertThat(m.probability(new int[] {C}, 0)).isCloseTo(0.5 / 7 + floor, within(1e-15));
    assertThat(m.probability(new int[] {D}, 0)).isCloseTo(floor, within(1e-15));
  }

  @Test
  void bigramProbabilitiesAreTheHandWorkedOnes() {
    KneserNeyModel m = KneserNeyModel.train(2, 4, CORPUS, HALF);
    assertThat(m.probability(new int[] {A, B}, 1)).isCloseTo(0.625, within(1e-15));
    assertThat(m.probability(new int[] {A, C}, 1)).isCloseTo(0.225, within(1e-15));
    assertThat(m.probability(new int[] {A, A}, 1)).isCloseTo(0.125, within(1e-15));
    assertThat(m.probability(new int[] {A, D}, 1)).isCloseTo(0.025, within(1e-15));
    assertThat(m.probability(new int[] {A}, 0)).isCloseTo(0.4375, within(1e-15));
    // d was never a context: the unigram distribution.
    assertThat(m.probability(new int[] {D, A}, 1)).isCloseTo(0.375, within(1e-15));
    assertThat(m.probability(new int[] {D, D}, 1)).isCloseTo(0.075, within(1e-15));
  }

  @Test
  void trigramProbabilitiesAreTheHandWorkedOnes() {
    KneserNeyModel m = KneserNeyModel.train(3, 4, CORPUS, HALF);
    assertThat(m.probability(new int[] {B, A, B}, 2)).isCloseTo(0.5625, within(1e-15));
    assertThat(m.probability(new int[] {B, A, C}, 2)).isCloseTo(0.3625, within(1e-15));
    assertThat(m.probability(new int[] {B, A, A}, 2)).isCloseTo(0.0625, within(1e-15));
    assertThat(m.probability(new int[] {B, A, D}, 2)).isCloseTo(0.0125, within(1e-15));
    assertThat(m.probability(new int[] {A}, 0)).isCloseTo(0.46875, within(1e-15));
    assertThat(m.probability(new int[] {A, A, B}, 2)).isCloseTo(0.625, within(1e-15));
    assertThat(m.probability(new int[] {A, A, D}, 2)).isCloseTo(0.025, within(1e-15));
  }

  @Test
  void theWholeDistributionMatchesTheHandWorkedOne() {
    KneserNeyModel m = KneserNeyModel.train(3, 4, CORPUS, HALF);
    double[] logprobs = new double[4];
    m.distribution(new int[] {B, A}, 2).logprobs(logprobs);
    assertThat(logprobs)
        .containsExactly(
            new double[] {Math.log(0.0625), Math.log(0.5625), Math.log(0.3625), Math.log(0.0125)},
            within(1e-14));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void everyContextSumsToOneOverTheVocabulary(int order) {
    int vocab = 60;
    List<int[]> training = randomCorpus(vocab, 7);
    KneserNeyModel m = KneserNeyModel.train(order, vocab, training);
    double[] logprobs = new double[vocab];
    List<int[]> contexts = new ArrayList<>(training);
    contexts.addAll(randomCorpus(vocab, 99));
    for (int[] tokens : contexts) {
      for (int t = 0; t <= tokens.length; t++) {
        int[] padded = java.util.Arrays.copyOf(tokens, tokens.length + 1);
        NextTokenDistribution d = m.distribution(padded, t);
        d.logprobs(logprobs);
        double sum = 0;
        for (int w = 0; w < vocab; w++) {
          double p = Math.exp(logprobs[w]);
          assertThat(p).isPositive();
          assertThat(d.probability(w)).isCloseTo(p, within(1e-15));
          assertThat(m.probability(padded, t, w)).isCloseTo(p, within(1e-15));
          sum += p;
        }
        assertThat(sum).isCloseTo(1, within(1e-12));
      }
    }
  }

  @Test
  void discountsAreNeysEstimateWithinTheirBounds() {
    KneserNeyModel m = KneserNeyModel.train(2, 4, CORPUS);
    // Bigram raw counts 1, 1, 2, 1, 2: n1 = 3, n2 = 2. Unigram continuation counts 2, 2, 1.
    assertThat(m.discount(2)).isCloseTo(3.0 / (3 + 2 * 2), within(1e-15));
    assertThat(m.discount(1)).isCloseTo(1.0 / (1 + 2 * 2), within(1e-15));
    // All counts 1 (n2 = 0) would give 1; all counts 2 (n1 = 0) would give 0.
    KneserNeyModel ones = KneserNeyModel.train(1, 4, List.of(new int[] {A, B, C}));
    assertThat(ones.discount(1)).isEqualTo(KneserNeyModel.MAX_DISCOUNT);
    KneserNeyModel twos = KneserNeyModel.train(1, 4, List.of(new int[] {A, B, A, B}));
    assertThat(twos.discount(1)).isEqualTo(KneserNeyModel.MIN_DISCOUNT);
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> KneserNeyModel.train(4, 4, CORPUS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid order: 4 (must be 1 to 3)");
    assertThatThrownBy(() -> KneserNeyModel.train(2, 0, CORPUS))
        .hasMessage("Invalid vocabSize: 0 (must be 1 to 262142)");
    assertThatThrownBy(() -> KneserNeyModel.train(2, 4, List.of(new int[] {A}, new int[] {B, 4})))
        .hasMessage("Invalid token 4 at position 1 of training sequence 1 (must be in [0, 4))");
    assertThatThrownBy(() -> KneserNeyModel.train(2, 4, List.of(new int[0])))
        .hasMessage("Invalid training set: 0 tokens (must be 1 to 2^31 - 9)");
    assertThatThrownBy(() -> KneserNeyModel.train(2, 4, CORPUS, new double[] {0.5, 0}))
        .hasMessage("Invalid discount of order 2: 0.0 (must be in (0, 1])");
  }

  /** Sequences over a Zipf-like vocabulary, so that some contexts are frequent and some rare. */
  static List<int[]> randomCorpus(int vocab, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<int[]> corpus = new ArrayList<>();
    for (int s = 0; s < 40; s++) {
      int[] tokens = new int[1 + random.nextInt(30)];
      for (int t = 0; t < tokens.length; t++) {
        tokens[t] =
            (int)
                Math.min(
                    vocab - 1, Math.floor(Math.exp(random.nextDouble() * Math.log(vocab))) - 1);
      }
      corpus.add(tokens);
    }
    return corpus;
  }
}
