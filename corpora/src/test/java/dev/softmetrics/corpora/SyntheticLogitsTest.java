package dev.softmetrics.corpora;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticLogitsTest {

  private static final int V = SyntheticLogits.VOCAB_SIZE;

  @Test
  void sameSeedGivesTheSameSequencesBitForBitInAnyOrder() {
    SyntheticLogits forward = new SyntheticLogits(42, 4, 40);
    SyntheticLogits shuffled = new SyntheticLogits(42, 4, 40);
    List<Long> indices = new ArrayList<>();
    for (long i = 0; i < 40; i++) {
      indices.add(i);
    }
    List<SyntheticLogitsSequence> inOrder = new ArrayList<>();
    for (long index : indices) {
      inOrder.add(forward.sequence(index));
    }
    Collections.shuffle(indices, new Random(7));
    for (long index : indices) {
      SyntheticLogitsSequence expected = inOrder.get((int) index);
      SyntheticLogitsSequence actual = shuffled.sequence(index);
      assertThat(actual).isEqualTo(expected).hasSameHashCodeAs(expected);
      assertThat(rawBits(actual.logits())).isEqualTo(rawBits(expected.logits()));
      assertThat(rawBits(actual.refLogits())).isEqualTo(rawBits(expected.refLogits()));
    }
    assertThat(forward.sequence(1_000_003L)).isEqualTo(shuffled.sequence(1_000_003L));
  }

  @Test
  void differentSeedGivesDifferentSequences() {
    SyntheticLogits a = new SyntheticLogits(42, 4, 40);
    SyntheticLogits b = new SyntheticLogits(43, 4, 40);
    for (long index = 0; index < 20; index++) {
      SyntheticLogitsSequence sa = a.sequence(index);
      SyntheticLogitsSequence sb = b.sequence(index);
      assertThat(sb.sequenceId()).isEqualTo(sa.sequenceId());
      assertThat(sb.logits()).isNotEqualTo(sa.logits());
      assertThat(sb.text()).isNotEqualTo(sa.text());
    }
  }

  @Test
  void bothModelsScoreEachDocumentWithTheSameTextTargetsAndLength() {
    SyntheticLogits generator = new SyntheticLogits(5, 16, 160);
    SyntheticCorpus corpus = new SyntheticCorpus(5, 16, 160, 0);
    assertThat(generator.models()).containsExactly("toy-small", "toy-large");
    assertThat(generator.tokenizer()).isEqualTo("toy-1k");
    Set<String> domains = new HashSet<>();
    for (long document = 0; document < 30; document++) {
      SyntheticLogitsSequence small = generator.sequence(2 * document);
      SyntheticLogitsSequence large = generator.sequence(2 * document + 1);
      assertThat(small.sequenceId()).isEqualTo(String.format("doc-%06d", document));
      assertThat(small.model()).isEqualTo("toy-small");
      assertThat(large.model()).isEqualTo("toy-large");
      assertThat(large.sequenceId()).isEqualTo(small.sequenceId());
      assertThat(large.domain()).isEqualTo(small.domain()).isIn(corpus.domains());
      assertThat(large.text()).isEqualTo(small.text());
      assertThat(large.targetIds()).isEqualTo(small.targetIds());
      assertThat(large.logits()).isNotEqualTo(small.logits());
      assertThat(small.tokens()).isBetween(16, 160);
      assertThat(small.tokenizer()).isEqualTo("toy-1k");
      assertThat(small.vocabSize()).isEqualTo(V);
      // The text is SyntheticCorpus's, at a plausible size for a 1k vocabulary.
      double bytesPerToken = small.text().getBytes(UTF_8).length / (double) small.tokens();
      assertThat(bytesPerToken).as(small.toString()).isBetween(0.8, 4.0);
      domains.add(small.domain());
    }
    assertThat(domains).containsExactlyInAnyOrderElementsOf(corpus.domains());
  }

  @Test
  void logitsAreExactInTheirDtypeAndMaskedOnlyWhereNoTargetIs() {
    SyntheticLogits generator = new SyntheticLogits(11, 8, 64);
    Set<BlobDtype> dtypes = EnumSet.noneOf(BlobDtype.class);
    long negativeInfinities = 0;
    long constrainedRows = 0;
    long rows = 0;
    for (long index = 0; index < 80; index++) {
      SyntheticLogitsSequence s = generator.sequence(index);
      dtypes.add(s.dtype());
      for (float[] values : List.of(s.logits(), s.refLogits())) {
        for (float value : values) {
          assertThat(Float.isNaN(value)).isFalse();
          assertThat(value).isNotEqualTo(Float.POSITIVE_INFINITY);
          assertThat(Float.floatToRawIntBits(value))
              .as("%s is a %s", value, s.dtype())
              .isEqualTo(Float.floatToRawIntBits(ReferenceFloats.round(s.dtype(), value)));
        }
      }
      for (int t = 0; t < s.tokens(); t++) {
        rows++;
        int y = s.targetIds()[t];
        assertThat(y).isBetween(0, 999);
        assertThat(s.logits()[t * V + y]).isFinite();
        assertThat(s.refLogits()[t * V + y]).isFinite();
        int masked = 0;
        for (int i = t * V; i < (t + 1) * V; i++) {
          boolean modelMasked = s.logits()[i] == Float.NEGATIVE_INFINITY;
          assertThat(s.refLogits()[i] == Float.NEGATIVE_INFINITY)
              .as("the reference masks exactly what its model masks")
              .isEqualTo(modelMasked);
          masked += modelMasked ? 1 : 0;
        }
        negativeInfinities += masked;
        int padding = s.model().equals("toy-large") ? 24 : 0;
        for (int i = 1000; i < V; i++) {
          assertThat(s.logits()[t * V + i] == Float.NEGATIVE_INFINITY).isEqualTo(padding > 0);
        }
        assertThat(masked).isBetween(padding, padding + 128);
        constrainedRows += masked > padding ? 1 : 0;
      }
    }
    assertThat(dtypes).containsExactlyInAnyOrder(BlobDtype.values());
    assertThat(negativeInfinities).isPositive();
    assertThat(constrainedRows / (double) rows).isBetween(0.05, 0.15);
  }

  @Test
  void derivedLogprobsMatchAnIndependentLogSoftmaxOfTheStoredLogits() {
    SyntheticLogits generator = new SyntheticLogits(3, 8, 48);
    Set<BlobDtype> checked = EnumSet.noneOf(BlobDtype.class);
    for (long index = 0; index < 40; index++) {
      SyntheticLogitsSequence s = generator.sequence(index);
      checked.add(s.dtype());
      for (int t = 0; t < s.tokens(); t += 7) {
        float[] z = Arrays.copyOfRange(s.logits(), t * V, (t + 1) * V);
        float[] r = Arrays.copyOfRange(s.refLogits(), t * V, (t + 1) * V);
        int y = s.targetIds()[t];
        assertThat(s.tokenLogprobs()[t]).isCloseTo(logprobAt(z, y), within(1e-12));
        assertThat(s.refLogprobs()[t]).isCloseTo(logprobAt(r, y), within(1e-12));
        assertThat(s.tokenEntropies()[t]).isCloseTo(entropyByExpectedLogit(z), within(1e-12));
        double lse = logSumExp(z);
        double[] all = new double[V];
        for (int i = 0; i < V; i++) {
          all[i] = z[i] - lse;
        }
        Arrays.sort(all);
        assertThat(s.topLogprobs()[t]).hasSize(SyntheticLogits.TOP_K);
        for (int k = 0; k < SyntheticLogits.TOP_K; k++) {
          assertThat(s.topLogprobs()[t][k]).isCloseTo(all[V - 1 - k], within(1e-12));
        }
      }
    }
    assertThat(checked).containsExactlyInAnyOrder(BlobDtype.values());
  }

  @Test
  void entropyNllAndKlLookLikeThoseOfRealModels() {
    SyntheticLogits generator = new SyntheticLogits(2024, 16, 96);
    Map<String, double[]> byModel = new HashMap<>();
    for (long index = 0; index < 80; index++) {
      SyntheticLogitsSequence s = generator.sequence(index);
      double[] sums = byModel.computeIfAbsent(s.model(), k -> new double[4]);
      for (int t = 0; t < s.tokens(); t++) {
        sums[0] += s.tokenEntropies()[t];
        sums[1] -= s.tokenLogprobs()[t];
        sums[2] +=
            kl(
                Arrays.copyOfRange(s.logits(), t * V, (t + 1) * V),
                Arrays.copyOfRange(s.refLogits(), t * V, (t + 1) * V));
        sums[3]++;
      }
    }
    double[] small = byModel.get("toy-small");
    double[] large = byModel.get("toy-large");
    for (double[] sums : List.of(small, large)) {
      assertThat(sums[0] / sums[3]).as("mean entropy").isBetween(1.5, 4.0);
      assertThat(sums[1] / sums[3]).as("mean NLL").isBetween(1.5, 4.0);
      assertThat(sums[2] / sums[3]).as("mean KL(model || ref)").isBetween(0.05, 1.0);
    }
    assertThat(small[0] / small[3]).isGreaterThan(large[0] / large[3] + 0.2);
    assertThat(small[1] / small[3]).isGreaterThan(large[1] / large[3] + 0.1);
  }

  @Test
  void rejectsInvalidArguments() {
    assertThatThrownBy(() -> new SyntheticLogits(1, 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid tokensMin: 0 (must be >= 1)");
    assertThatThrownBy(() -> new SyntheticLogits(1, 10, 9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid tokensMax: 9 (must be in [tokensMin, 4096] = [10, 4096])");
    assertThatThrownBy(() -> new SyntheticLogits(1, 1, 4097))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid tokensMax: 4097");
    assertThatThrownBy(() -> new SyntheticLogits(1, 1, 10).sequence(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid index: -1 (must be >= 0)");
  }

  /**
   * ln p_y = -ln sum_i exp(z_i - z_y): shifted by the target rather than the max, and summed from
   * the smallest term up.
   */
  static double logprobAt(float[] z, int y) {
    double[] terms = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      terms[i] = Math.exp((double) z[i] - z[y]);
    }
    Arrays.sort(terms);
    double sum = 0;
    for (double term : terms) {
      sum += term;
    }
    return -Math.log(sum);
  }

  /** LSE(z) = z_m - ln p_m at the largest logit z_m, which is finite. */
  private static double logSumExp(float[] z) {
    int argmax = 0;
    for (int i = 1; i < z.length; i++) {
      argmax = z[i] > z[argmax] ? i : argmax;
    }
    return z[argmax] - logprobAt(z, argmax);
  }

  /** H = LSE(z) - sum_i p_i z_i, the other form of the entropy, with p_i z_i = 0 where p_i = 0. */
  private static double entropyByExpectedLogit(float[] z) {
    double lse = logSumExp(z);
    double expected = 0;
    for (float zi : z) {
      if (zi != Float.NEGATIVE_INFINITY) {
        expected += Math.exp(zi - lse) * zi;
      }
    }
    return lse - expected;
  }

  /** KL(softmax(a) || softmax(b)), where b is -infinity only where a is. */
  private static double kl(float[] a, float[] b) {
    double lseA = logSumExp(a);
    double lseB = logSumExp(b);
    double kl = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != Float.NEGATIVE_INFINITY) {
        double logA = a[i] - lseA;
        kl += Math.exp(logA) * (logA - (b[i] - lseB));
      }
    }
    return kl;
  }

  private static int[] rawBits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }
}
