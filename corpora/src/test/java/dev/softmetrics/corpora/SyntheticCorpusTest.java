package dev.softmetrics.corpora;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticCorpusTest {

  private static final double LN2 = Math.log(2);

  @Test
  void sameSeedGivesTheSameRowsBitForBitInAnyOrder() {
    SyntheticCorpus forward = new SyntheticCorpus(42, 16, 200, 7);
    SyntheticCorpus shuffled = new SyntheticCorpus(42, 16, 200, 7);
    List<Long> indices = new ArrayList<>();
    for (long i = 0; i < 400; i++) {
      indices.add(i);
    }
    List<SyntheticSequence> inOrder = new ArrayList<>();
    for (long index : indices) {
      inOrder.add(forward.sequence(index));
    }
    Collections.shuffle(indices, new Random(7));
    for (long index : indices) {
      SyntheticSequence expected = inOrder.get((int) index);
      SyntheticSequence actual = shuffled.sequence(index);
      assertThat(actual).isEqualTo(expected);
      assertThat(rawBits(actual.tokenLogprobs())).isEqualTo(rawBits(expected.tokenLogprobs()));
    }
    assertThat(forward.sequence(1_000_003L)).isEqualTo(shuffled.sequence(1_000_003L));
  }

  @Test
  void differentSeedGivesDifferentRows() {
    SyntheticCorpus a = new SyntheticCorpus(42, 16, 200, 0);
    SyntheticCorpus b = new SyntheticCorpus(43, 16, 200, 0);
    int sameText = 0;
    for (long index = 0; index < 200; index++) {
      SyntheticSequence rowA = a.sequence(index);
      SyntheticSequence rowB = b.sequence(index);
      assertThat(rowB).isNotEqualTo(rowA);
      assertThat(rowB.sequenceId()).isEqualTo(rowA.sequenceId());
      if (rowA.text().equals(rowB.text())) {
        sameText++;
      }
    }
    assertThat(sameText).isZero();
  }

  @Test
  void theFourRowsOfADocumentShareTextAndCoverEveryModelAndTokenizer() {
    SyntheticCorpus corpus = new SyntheticCorpus(5, 32, 128, 0);
    assertThat(corpus.sequencesPerDocument()).isEqualTo(4);
    assertThat(corpus.sequence(42 * 4 + 3).sequenceId()).isEqualTo("doc-000042");
    Set<String> allPairs = new HashSet<>();
    for (String model : corpus.models()) {
      for (String tokenizer : corpus.tokenizers()) {
        allPairs.add(model + "/" + tokenizer);
      }
    }
    assertThat(allPairs).hasSize(4);

    for (long document = 0; document < 60; document++) {
      SyntheticSequence first = corpus.sequence(document * 4);
      Set<String> pairs = new HashSet<>();
      Map<String, Integer> tokensByTokenizer = new HashMap<>();
      for (long index = document * 4; index < document * 4 + 4; index++) {
        SyntheticSequence row = corpus.sequence(index);
        assertThat(row.sequenceId()).isEqualTo(String.format("doc-%06d", document));
        assertThat(row.text()).isEqualTo(first.text());
        assertThat(row.domain()).isEqualTo(first.domain()).isIn(corpus.domains());
        pairs.add(row.model() + "/" + row.tokenizer());
        tokensByTokenizer.merge(row.tokenizer(), row.tokenLogprobs().length, (x, y) -> x);
      }
      assertThat(pairs).isEqualTo(allPairs);
      // The same bytes under a smaller vocabulary take more tokens.
      assertThat(tokensByTokenizer.get("bpe-32k")).isGreaterThan(tokensByTokenizer.get("bpe-100k"));
      assertThat(tokensByTokenizer.get("bpe-100k")).isBetween(32, 128 + 40);
    }
  }

  @Test
  void rangeModeTokenCountsFollowTheBytesPerToken() {
    SyntheticCorpus corpus = new SyntheticCorpus(11, 100, 300, 0);
    Map<String, double[]> bytesAndTokens = new HashMap<>();
    for (long index = 0; index < 1200; index++) {
      SyntheticSequence row = corpus.sequence(index);
      double[] sums =
          bytesAndTokens.computeIfAbsent(row.tokenizer() + "/" + row.domain(), k -> new double[2]);
      sums[0] += utf8Bytes(row.text());
      sums[1] += row.tokenLogprobs().length;
    }
    Map<String, Double> expected =
        Map.of(
            "bpe-32k/web-en", 3.4,
            "bpe-32k/news-fr", 2.9,
            "bpe-32k/forum-ja", 1.6,
            "bpe-100k/web-en", 4.3,
            "bpe-100k/news-fr", 3.5,
            "bpe-100k/forum-ja", 2.3);
    assertThat(bytesAndTokens).containsOnlyKeys(expected.keySet());
    expected.forEach(
        (group, bytesPerToken) -> {
          double[] sums = bytesAndTokens.get(group);
          assertThat(sums[0] / sums[1]).as(group).isCloseTo(bytesPerToken, within(0.05));
        });
  }

  @Test
  void fixedTokenCountGivesEveryGoodRowExactlyThatManyLogprobs() {
    SyntheticCorpus corpus = new SyntheticCorpus(3, 512, 512, 10);
    for (long document = 0; document < 50; document++) {
      Map<String, String> textByTokenizer = new HashMap<>();
      for (long index = document * 4; index < document * 4 + 4; index++) {
        SyntheticSequence row = corpus.sequence(index);
        if (index % 10 == 9) {
          continue;
        }
        assertThat(row.tokenLogprobs()).hasSize(512);
        assertGoodLogprobs(row);
        String previous = textByTokenizer.putIfAbsent(row.tokenizer(), row.text());
        if (previous != null) {
          assertThat(row.text()).isEqualTo(previous);
        }
      }
      // A fixed window of 512 tokens covers fewer bytes under the smaller vocabulary.
      String small = textByTokenizer.get("bpe-32k");
      String large = textByTokenizer.get("bpe-100k");
      if (small != null && large != null) {
        assertThat(large).startsWith(small).isNotEqualTo(small);
      }
    }
  }

  @Test
  void goodRowsHaveFiniteNonPositiveLogprobs() {
    SyntheticCorpus corpus = new SyntheticCorpus(17, 1, 400, 0);
    for (long index = 0; index < 2000; index++) {
      SyntheticSequence row = corpus.sequence(index);
      assertThat(row.text()).isNotEmpty();
      assertThat(row.tokenLogprobs()).isNotEmpty();
      assertGoodLogprobs(row);
    }
  }

  @Test
  void pooledMetricsLookLikeThoseOfARealModel() {
    SyntheticCorpus corpus = new SyntheticCorpus(2024, 64, 256, 0);
    Map<String, double[]> byModel = new HashMap<>();
    Map<String, double[]> byModelAndDomain = new HashMap<>();
    double[] largeEnglish = new double[2];
    for (long index = 0; index < 2000; index++) {
      SyntheticSequence row = corpus.sequence(index);
      double nll = 0;
      for (float logprob : row.tokenLogprobs()) {
        nll -= logprob;
      }
      int bytes = utf8Bytes(row.text());
      add(byModel.computeIfAbsent(row.model(), k -> new double[2]), nll, bytes);
      add(
          byModelAndDomain.computeIfAbsent(row.model() + "/" + row.domain(), k -> new double[2]),
          nll,
          bytes);
      if (row.model().equals("toy-large") && row.domain().equals("web-en")) {
        add(largeEnglish, nll, row.tokenLogprobs().length);
      }
    }
    assertThat(byModel).containsOnlyKeys("toy-small", "toy-large");
    byModel.forEach(
        (model, sums) -> assertThat(sums[0] / (LN2 * sums[1])).as(model).isBetween(0.8, 1.6));
    assertThat(bitsPerByte(byModel.get("toy-small")))
        .isGreaterThan(bitsPerByte(byModel.get("toy-large")));

    Map<String, Double> modelBpb = Map.of("toy-small", 1.15, "toy-large", 0.95);
    Map<String, Double> domainFactor = Map.of("web-en", 1.0, "news-fr", 1.1, "forum-ja", 1.25);
    assertThat(byModelAndDomain).hasSize(6);
    byModelAndDomain.forEach(
        (group, sums) -> {
          String[] parts = group.split("/");
          double target = modelBpb.get(parts[0]) * domainFactor.get(parts[1]);
          assertThat(bitsPerByte(sums)).as(group).isCloseTo(target, within(0.05 * target));
        });

    double tokenPpl = Math.exp(largeEnglish[0] / largeEnglish[1]);
    assertThat(tokenPpl).isBetween(5.0, 60.0);
  }

  @Test
  void textHasMultiByteCharactersAndPythonWhitespace() {
    SyntheticCorpus corpus = new SyntheticCorpus(9, 64, 256, 0);
    Set<Integer> utf8Widths = new HashSet<>();
    Set<String> domainsWithOwnScript = new HashSet<>();
    boolean noBreakSpace = false;
    boolean ideographicSpace = false;
    boolean newline = false;
    boolean doubleSpace = false;
    for (long index = 0; index < 2000; index += 4) {
      SyntheticSequence row = corpus.sequence(index);
      String text = row.text();
      text.codePoints()
          .forEach(cp -> utf8Widths.add(new String(Character.toChars(cp)).getBytes(UTF_8).length));
      noBreakSpace |= text.contains("\u00A0");
      ideographicSpace |= text.contains("\u3000");
      newline |= text.contains("\n");
      doubleSpace |= text.contains("  ");
      boolean ownScript =
          switch (row.domain()) {
            case "web-en" -> text.matches("(?s).*\\b(the|and|of)\\b.*");
            case "news-fr" -> text.matches("(?s).*[éèçàôœ].*");
            case "forum-ja" -> text.codePoints().anyMatch(SyntheticCorpusTest::isKanaOrKanji);
            default -> false;
          };
      if (ownScript) {
        domainsWithOwnScript.add(row.domain());
      }
      assertThat(text).doesNotStartWith(" ").doesNotEndWith(" ");
    }
    assertThat(utf8Widths).contains(1, 2, 3, 4);
    assertThat(domainsWithOwnScript).containsExactlyInAnyOrder("web-en", "news-fr", "forum-ja");
    assertThat(noBreakSpace).isTrue();
    assertThat(ideographicSpace).isTrue();
    assertThat(newline).isTrue();
    assertThat(doubleSpace).isTrue();
  }

  @Test
  void badRowsAppearExactlyAtTheirIndicesWithTheirKind() {
    int every = 5;
    SyntheticCorpus clean = new SyntheticCorpus(8, 8, 64, 0);
    SyntheticCorpus spoiled = new SyntheticCorpus(8, 8, 64, every);
    int[] kinds = new int[3];
    for (long index = 0; index < 300; index++) {
      SyntheticSequence good = clean.sequence(index);
      SyntheticSequence row = spoiled.sequence(index);
      assertThat(row.sequenceId()).isEqualTo(good.sequenceId());
      assertThat(row.model()).isEqualTo(good.model());
      assertThat(row.tokenizer()).isEqualTo(good.tokenizer());
      assertThat(row.domain()).isEqualTo(good.domain());
      if (index % every != every - 1) {
        assertThat(row).isEqualTo(good);
        continue;
      }
      int kind = (int) ((index / every) % 3);
      kinds[kind]++;
      switch (kind) {
        case 0 -> {
          float[] expected = good.tokenLogprobs().clone();
          expected[expected.length / 2] = Float.NaN;
          assertThat(row.text()).isEqualTo(good.text());
          assertThat(rawBits(row.tokenLogprobs())).isEqualTo(rawBits(expected));
          assertThat(Float.isNaN(row.tokenLogprobs()[expected.length / 2])).isTrue();
        }
        case 1 -> {
          assertThat(row.text()).isEqualTo(good.text());
          assertThat(row.tokenLogprobs()).isEmpty();
        }
        default -> {
          assertThat(row.text()).isNull();
          assertThat(row.tokenLogprobs()).isEqualTo(good.tokenLogprobs()).isNotEmpty();
        }
      }
    }
    assertThat(kinds).containsExactly(20, 20, 20);
  }

  @Test
  void noBadRowsWhenBadRowEveryIsZero() {
    SyntheticCorpus corpus = new SyntheticCorpus(8, 8, 64, 0);
    for (long index = 0; index < 500; index++) {
      SyntheticSequence row = corpus.sequence(index);
      assertThat(row.text()).isNotNull();
      assertThat(row.tokenLogprobs()).isNotEmpty();
      assertGoodLogprobs(row);
    }
  }

  @Test
  void rejectsInvalidArguments() {
    assertThatThrownBy(() -> new SyntheticCorpus(1, 0, 10, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid tokensMin: 0 (must be >= 1)");
    assertThatThrownBy(() -> new SyntheticCorpus(1, 10, 9, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid tokensMax: 9 (must be in [tokensMin, ");
    assertThatThrownBy(() -> new SyntheticCorpus(1, 1, 10, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid badRowEvery: -1 (must be >= 0");
    assertThatThrownBy(() -> new SyntheticCorpus(1, 1, 10, 0).sequence(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid index: -1 (must be >= 0)");
  }

  private static void assertGoodLogprobs(SyntheticSequence row) {
    for (float logprob : row.tokenLogprobs()) {
      assertThat(Float.isFinite(logprob)).as("finite: %s in %s", logprob, row).isTrue();
      assertThat(Float.floatToRawIntBits(logprob) == Float.floatToRawIntBits(0f) || logprob < 0f)
          .as("<= 0 and not -0.0: %s in %s", logprob, row)
          .isTrue();
    }
  }

  private static boolean isKanaOrKanji(int cp) {
    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
    return script == Character.UnicodeScript.HAN
        || script == Character.UnicodeScript.HIRAGANA
        || script == Character.UnicodeScript.KATAKANA;
  }

  private static int utf8Bytes(String text) {
    return text.getBytes(UTF_8).length;
  }

  private static double bitsPerByte(double[] nllAndBytes) {
    return nllAndBytes[0] / (LN2 * nllAndBytes[1]);
  }

  private static void add(double[] sums, double nll, int count) {
    sums[0] += nll;
    sums[1] += count;
  }

  private static int[] rawBits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }
}
