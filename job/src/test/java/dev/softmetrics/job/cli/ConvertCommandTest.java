package dev.softmetrics.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code convert}'s hints for the figures it cannot give and its help text; no Spark. */
class ConvertCommandTest {

  @Test
  void aWordFigureWithBytesPerTokenAsksForBytesPerWord() {
    CliOutcome run = CliOutcome.of("convert", "--ppl-word", "8.79", "--bytes-per-token", "4.2");
    assertThat(run.status()).as(run.err()).isZero();
    // Word to byte needs bytes per word; word to token needs it too (bytes per token is given).
    assertThat(run.outLines())
        .containsExactly(
            "nats per token (mean NLL)   nats_per_token  -  (needs --bytes-per-word)",
            "bits per token              bits_per_token  -  (needs --bytes-per-word)",
            "token perplexity            ppl_token       -  (needs --bytes-per-word)",
            "nats per byte               nats_per_byte   -  (needs --bytes-per-word)",
            "bits per byte (BPB)         bits_per_byte   -  (needs --bytes-per-word)",
            "byte perplexity             ppl_byte        -  (needs --bytes-per-word)",
            "nats per word               nats_per_word   2.173614712",
            "bits per word               bits_per_word   3.135863165",
            "word perplexity             ppl_word        8.79");
  }

  @Test
  void aTokenFigureAloneNamesBothRatiosForWords() {
    CliOutcome run = CliOutcome.of("convert", "--nll", "2");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.outLines())
        .contains(
            "bits per byte (BPB)         bits_per_byte   -  (needs --bytes-per-token)",
            "word perplexity             ppl_word        -  (needs --bytes-per-token and"
                + " --bytes-per-word)");
  }

  @Test
  void aByteFigureWithBytesPerWordAsksForBytesPerTokenOnlyForTokens() {
    CliOutcome run = CliOutcome.of("convert", "--bpb", "1", "--bytes-per-word", "5");
    assertThat(run.status()).as(run.err()).isZero();
    // 1 bit per byte x 5 bytes per word = 5 bits per word.
    assertThat(run.outLines())
        .contains(
            "token perplexity            ppl_token       -  (needs --bytes-per-token)",
            "bits per word               bits_per_word   5");
  }

  @Test
  void everyConvertOptionHasADescription() {
    CommandSpec convert = new CommandLine(new ConvertCommand()).getCommandSpec();
    assertThat(convert.options()).hasSizeGreaterThanOrEqualTo(14);
    for (OptionSpec option : convert.options()) {
      assertThat(String.join(" ", option.description()))
          .as("description of " + option.longestName())
          .isNotBlank();
    }
  }
}
