package dev.softmetrics.demo.europarl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.corpora.SplitMixStream;
import dev.softmetrics.demo.ngram.KneserNeyModel;
import dev.softmetrics.demo.ngram.TiltedPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rows a scorer writes hold what the models say, token by token, computed here from the models
 * directly. Models over the first 94 ids of r50k_base, which are the printable ASCII characters.
 */
class PolicyScorerTest {
  private static final DemoTokenizer TOKENIZER = DemoTokenizer.R50K_BASE;
  private static final int ASCII = 94;
  private static final List<int[]> TRAINING = training();
  private static final KneserNeyModel MODEL =
      KneserNeyModel.train(3, TOKENIZER.vocabSize(), TRAINING);
  private static final KneserNeyModel REFERENCE =
      KneserNeyModel.train(2, TOKENIZER.vocabSize(), TRAINING);

  @Test
  void teacherForcedRowsHoldTheModelsLogprobsEntropiesAndTop() {
    int[] tokens = TOKENIZER.encode("the cat sat on the mat");
    PolicyScorer scorer = new PolicyScorer(TiltedPolicy.of(MODEL), MODEL, REFERENCE);

    LogprobSequence row = scorer.score(labels("s"), tokens.clone(), 0, null);

    assertThat(row.text()).isEqualTo("the cat sat on the mat");
    assertThat(row.numBytes()).isEqualTo(22);
    assertThat(row.vocabSize()).isEqualTo(50_257);
    assertThat(row.tokenLogprobs()).hasSize(tokens.length);
    double[] logp = new double[TOKENIZER.vocabSize()];
    for (int t = 0; t < tokens.length; t++) {
      assertThat(row.tokenLogprobs()[t]).isEqualTo((float) Math.log(MODEL.probability(tokens, t)));
      assertThat(row.refLogprobs()[t])
          .isEqualTo((float) Math.log(REFERENCE.probability(tokens, t)));
      MODEL.distribution(tokens, t).logprobs(logp);
      double entropy = 0;
      for (double l : logp) {
        entropy -= Math.exp(l) * l;
      }
      assertThat((double) row.tokenEntropies()[t]).isCloseTo(entropy, within(1e-5));
      double[] sorted = Arrays.stream(logp).sorted().toArray();
      assertThat(row.topLogprobs()[t]).hasSize(PolicyScorer.TOP_K);
      for (int i = 0; i < PolicyScorer.TOP_K; i++) {
        assertThat((double) row.topLogprobs()[t][i])
            .isCloseTo(sorted[sorted.length - 1 - i], within(1e-5));
      }
    }
  }

  @Test
  void rolloutsDrawTheirTokensFromThePolicyAndScoreThem() {
    TiltedPolicy policy = new TiltedPolicy(MODEL, 2, -1, 0);
    PolicyScorer scorer = new PolicyScorer(policy, MODEL, MODEL);
    int[] tokens = Arrays.copyOf(TOKENIZER.encode("the cat"), 12);
    int prompt = TOKENIZER.encode("the cat").length;

    LogprobSequence row =
        scorer.score(labels("r"), tokens, prompt, new SplitMixStream(5)::nextDouble);

    assertThat(row.tokenLogprobs()).hasSize(12 - prompt);
    int[] replay = Arrays.copyOf(TOKENIZER.encode("the cat"), 12);
    SplitMixStream random = new SplitMixStream(5);
    for (int t = prompt; t < 12; t++) {
      TiltedPolicy.Position q = policy.at(MODEL.distribution(replay, t));
      replay[t] = q.sample(random::nextDouble);
      assertThat(tokens[t]).isEqualTo(replay[t]);
      assertThat(row.tokenLogprobs()[t - prompt]).isEqualTo((float) q.logprob(tokens[t]));
      assertThat(row.refLogprobs()[t - prompt])
          .isEqualTo((float) Math.log(MODEL.probability(tokens, t)));
    }
    byte[] bytes = TOKENIZER.decodeBytes(Arrays.copyOfRange(tokens, prompt, 12));
    assertThat(row.numBytes()).isEqualTo(bytes.length);
  }

  @Test
  void textIsNullWhenTheBytesAreNotUtf8() {
    assertThat(PolicyScorer.utf8("héllo 😀".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("héllo 😀");
    assertThat(PolicyScorer.utf8(new byte[] {'a', (byte) 0xC3})).isNull();
    assertThat(PolicyScorer.utf8(new byte[] {(byte) 0xFF})).isNull();
  }

  private static PolicyScorer.Labels labels(String id) {
    return new PolicyScorer.Labels(id, "m", TOKENIZER, "en");
  }

  private static List<int[]> training() {
    List<int[]> training = new ArrayList<>();
    for (String line :
        List.of("the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "the end")) {
      training.add(TOKENIZER.encode(line));
    }
    int[] ascii = new int[ASCII];
    Arrays.setAll(ascii, i -> i);
    training.add(ascii);
    return training;
  }
}
