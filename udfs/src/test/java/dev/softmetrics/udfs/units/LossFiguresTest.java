package dev.softmetrics.udfs.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.softmetrics.udfs.units.LossFigures.Per;
import dev.softmetrics.udfs.units.LossFigures.Scale;
import org.junit.jupiter.api.Test;

class LossFiguresTest {

  // lm-evaluation-harness, Llama-2-7B on wikitext (METRICS.md).
  private static final double ANCHOR_WORD_PPL = 8.792073612124492;
  private static final double ANCHOR_BYTE_PPL = 1.5015845643537054;
  private static final double ANCHOR_BPB = 0.5864857250704371;
  private static final double ANCHOR_BYTES_PER_WORD = 5.34745;

  @Test
  void publishedAnchorFromWordPerplexity() {
    LossFigures f =
        LossFigures.from(
            Scale.PERPLEXITY, Per.WORD, ANCHOR_WORD_PPL, Double.NaN, ANCHOR_BYTES_PER_WORD);
    // The harness's bytes/words ratio is published to 6 digits, so BPB agrees to about 1e-7.
    assertThat(f.bitsPerByte()).isCloseTo(ANCHOR_BPB, withinPercentage(1e-4));
    assertThat(f.pplByte()).isCloseTo(ANCHOR_BYTE_PPL, withinPercentage(1e-4));
    assertThat(f.pplWord()).isCloseTo(ANCHOR_WORD_PPL, within(1e-12));
    assertThat(f.natsPerToken()).isNaN();
    assertThat(f.pplToken()).isNaN();
  }

  @Test
  void publishedAnchorBitsPerByteAndBytePerplexityAgreeExactly() {
    LossFigures fromBpb =
        LossFigures.from(Scale.BITS, Per.BYTE, ANCHOR_BPB, Double.NaN, ANCHOR_BYTES_PER_WORD);
    assertThat(fromBpb.pplByte()).isCloseTo(ANCHOR_BYTE_PPL, within(1e-15));
    LossFigures fromBytePpl =
        LossFigures.from(Scale.PERPLEXITY, Per.BYTE, ANCHOR_BYTE_PPL, Double.NaN, Double.NaN);
    assertThat(fromBytePpl.bitsPerByte()).isCloseTo(ANCHOR_BPB, within(1e-15));
    // Word perplexity = byte perplexity ^ (bytes per word).
    assertThat(fromBpb.pplWord())
        .isCloseTo(Math.pow(ANCHOR_BYTE_PPL, ANCHOR_BYTES_PER_WORD), within(1e-12))
        .isCloseTo(ANCHOR_WORD_PPL, withinPercentage(1e-4));
  }

  @Test
  void tokenPerplexityWithBytesPerToken() {
    // ln 8.79 = 2.1736147116970854 nats/token; / 4.2 = 0.5175273123088299 nats/byte (Python).
    LossFigures f = LossFigures.from(Scale.PERPLEXITY, Per.TOKEN, 8.79, 4.2, Double.NaN);
    assertThat(f.natsPerToken()).isCloseTo(2.1736147116970854, within(1e-15));
    assertThat(f.bitsPerToken()).isCloseTo(3.1358631653686793, within(1e-14));
    assertThat(f.natsPerByte()).isCloseTo(0.5175273123088299, within(1e-15));
    assertThat(f.bitsPerByte()).isCloseTo(0.7466340869925426, within(1e-15));
    assertThat(f.pplByte()).isCloseTo(1.6778736585112297, within(1e-14));
    assertThat(f.natsPerWord()).isNaN();
  }

  @Test
  void everyScaleOfOneUnitIsTheSameLoss() {
    LossFigures nats = LossFigures.from(Scale.NATS, Per.TOKEN, 2.0, 4.0, 20.0);
    LossFigures bits = LossFigures.from(Scale.BITS, Per.TOKEN, 2.0 / Math.log(2), 4.0, 20.0);
    LossFigures ppl = LossFigures.from(Scale.PERPLEXITY, Per.TOKEN, Math.exp(2.0), 4.0, 20.0);
    for (LossFigures f : new LossFigures[] {bits, ppl}) {
      assertThat(f.natsPerToken()).isCloseTo(nats.natsPerToken(), within(1e-15));
      assertThat(f.natsPerByte()).isCloseTo(0.5, within(1e-15));
      // 20 bytes per word = 5 tokens per word: 10 nats per word.
      assertThat(f.natsPerWord()).isCloseTo(10.0, within(1e-14));
    }
    LossFigures perWord = LossFigures.from(Scale.NATS, Per.WORD, 10.0, 4.0, 20.0);
    assertThat(perWord.natsPerToken()).isCloseTo(2.0, within(1e-15));
    assertThat(perWord.bitsPerWord()).isCloseTo(10.0 / Math.log(2), within(1e-14));
  }

  @Test
  void outOfRangeFiguresAreRejected() {
    assertThatThrownBy(() -> LossFigures.from(Scale.PERPLEXITY, Per.TOKEN, 0.5, 4, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid perplexity per token: 0.5 (must be finite and >= 1: a perplexity below 1 is a"
                + " negative NLL)");
    assertThatThrownBy(() -> LossFigures.from(Scale.BITS, Per.BYTE, -1, Double.NaN, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid bits per byte: -1.0 (must be finite and >= 0)");
    assertThatThrownBy(() -> LossFigures.from(Scale.NATS, Per.TOKEN, 1, 0, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid bytes per token: 0.0 (must be finite and > 0)");
  }
}
