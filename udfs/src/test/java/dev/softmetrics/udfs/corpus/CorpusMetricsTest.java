package dev.softmetrics.udfs.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.function.ToDoubleBiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CorpusMetricsTest {

  private static final double LN_2 = Math.log(2);
  private static final double LN_8 = Math.log(8);

  // lm-evaluation-harness, Llama-2-7B on wikitext (METRICS.md).
  private static final double ANCHOR_BPB = 0.5864857250704371;
  private static final double ANCHOR_BYTE_PPL = 1.5015845643537054;
  private static final double ANCHOR_WORD_PPL = 8.792073612124492;
  private static final long ANCHOR_BYTES = 534_745;
  private static final long ANCHOR_WORDS = 100_000;

  @Test
  void lnTwoIsMathLogTwo() {
    assertThat(LN_2).isEqualTo(0.6931471805599453);
    assertThat(CorpusMetrics.bitsPerToken(LN_2, 1)).isEqualTo(1.0);
    assertThat(CorpusMetrics.bitsPerByte(LN_2 * 4, 4)).isEqualTo(1.0);
  }

  @Test
  void twoDocumentCorpusPoolsTokens() {
    // 10 tokens at NLL ln 2 and 90 tokens at ln 8: 280 ln 2 nats over 100 tokens.
    double nllSum = 10 * LN_2 + 90 * LN_8;
    long tokens = 100;

    assertThat(CorpusMetrics.meanNll(nllSum, tokens)).isCloseTo(2.8 * LN_2, relative(2.8 * LN_2));
    assertThat(CorpusMetrics.pplToken(nllSum, tokens))
        .isCloseTo(6.964404506368992, relative(6.964404506368992))
        .isCloseTo(Math.pow(2, 2.8), relative(6.964404506368992));
    assertThat(CorpusMetrics.bitsPerToken(nllSum, tokens)).isCloseTo(2.8, relative(2.8));
  }

  @Test
  void macroMeanOfDocumentsIsNotTheCorpusPerplexity() {
    double macroMeanNll = CorpusMetrics.macroMean(new double[] {LN_2, LN_8});
    double meanOfPerplexities = CorpusMetrics.macroMean(new double[] {2, 8});
    double corpus = CorpusMetrics.pplToken(10 * LN_2 + 90 * LN_8, 100);

    assertThat(Math.exp(macroMeanNll)).isCloseTo(4.0, relative(4.0));
    assertThat(meanOfPerplexities).isEqualTo(5.0);
    assertThat(corpus).isNotCloseTo(4.0, within(0.1)).isNotCloseTo(5.0, within(0.1));
  }

  @Test
  void lmEvaluationHarnessAnchor() {
    // The harness reports three figures of one NLL sum, each computed from the sum, not from the
    // others. The sum is rebuilt here from one published figure and the other two must come out:
    // from the word perplexity (nats = words x ln PPL) the byte figures, from the byte perplexity
    // the word one. bytes / words = 5.34745 is rounded in the source: they agree to about 1e-7.
    double fromWords = ANCHOR_WORDS * Math.log(ANCHOR_WORD_PPL);
    double fromBytes = ANCHOR_BYTES * Math.log(ANCHOR_BYTE_PPL);

    assertThat(CorpusMetrics.bitsPerByte(fromWords, ANCHOR_BYTES))
        .isCloseTo(ANCHOR_BPB, within(1e-6 * ANCHOR_BPB));
    assertThat(CorpusMetrics.pplByte(fromWords, ANCHOR_BYTES))
        .isCloseTo(ANCHOR_BYTE_PPL, within(1e-6 * ANCHOR_BYTE_PPL));
    assertThat(CorpusMetrics.pplWord(fromBytes, ANCHOR_WORDS))
        .isCloseTo(ANCHOR_WORD_PPL, within(1e-6 * ANCHOR_WORD_PPL));
    // The published byte figures are one number: 2^BPB = byte PPL.
    assertThat(Math.pow(2, ANCHOR_BPB)).isCloseTo(ANCHOR_BYTE_PPL, relative(ANCHOR_BYTE_PPL));
  }

  @Test
  void bitsPerCharDividesByCodePoints() {
    assertThat(CorpusMetrics.bitsPerChar(12 * LN_2, 6)).isCloseTo(2.0, relative(2.0));
  }

  @Test
  void macroMeanIsUnweighted() {
    assertThat(CorpusMetrics.macroMean(new double[] {1.0, 2.0, 6.0})).isEqualTo(3.0);
    assertThat(CorpusMetrics.macroMean(new double[] {0.75})).isEqualTo(0.75);
    assertThat(CorpusMetrics.macroMean(new double[0])).isNaN();
  }

  static Stream<Arguments> metricsOverADenominator() {
    return Stream.of(
        Arguments.of("meanNll", (ToDoubleBiFunction<Double, Long>) CorpusMetrics::meanNll),
        Arguments.of("pplToken", (ToDoubleBiFunction<Double, Long>) CorpusMetrics::pplToken),
        Arguments.of(
            "bitsPerToken", (ToDoubleBiFunction<Double, Long>) CorpusMetrics::bitsPerToken),
        Arguments.of("bitsPerByte", (ToDoubleBiFunction<Double, Long>) CorpusMetrics::bitsPerByte),
        Arguments.of("bitsPerChar", (ToDoubleBiFunction<Double, Long>) CorpusMetrics::bitsPerChar),
        Arguments.of("pplByte", (ToDoubleBiFunction<Double, Long>) CorpusMetrics::pplByte),
        Arguments.of("pplWord", (ToDoubleBiFunction<Double, Long>) CorpusMetrics::pplWord));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("metricsOverADenominator")
  void nonPositiveDenominatorGivesNaN(String name, ToDoubleBiFunction<Double, Long> metric) {
    assertThat(metric.applyAsDouble(10.0, 0L)).isNaN();
    assertThat(metric.applyAsDouble(10.0, -3L)).isNaN();
    assertThat(metric.applyAsDouble(0.0, 0L)).isNaN();
    assertThat(metric.applyAsDouble(10.0, 5L)).isFinite();
  }

  private static org.assertj.core.data.Offset<Double> relative(double expected) {
    return within(1e-15 * Math.abs(expected));
  }
}
