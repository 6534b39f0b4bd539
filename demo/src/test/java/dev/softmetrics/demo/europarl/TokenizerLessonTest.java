package dev.softmetrics.demo.europarl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.tables.SoftColumn;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerLessonTest {
  @Test
  void comparesEachModelAcrossItsTokenizersOnTheRollUpRows() {
    // The same 1,000 bytes: 400 tokens at 2 nats, or 250 tokens at 3.3 nats.
    List<CorpusRow> corpus =
        List.of(
            row("m", "small-vocab", "en", 400, 2.0),
            row("m", "small-vocab", CorpusRow.ALL_DOMAINS, 400, 2.0),
            row("m", "big-vocab", CorpusRow.ALL_DOMAINS, 250, 3.3),
            row("alone", "small-vocab", CorpusRow.ALL_DOMAINS, 400, 2.0));

    String lesson = TokenizerLesson.text(corpus);

    // ppl: e^2 = 7.389 and e^3.3 = 27.113, 3.67x; bits/byte: 800 / (1000 ln 2) = 1.1542 and
    // 825 / (1000 ln 2) = 1.1902, 3.1% apart.
    assertThat(lesson)
        .contains("The same text (1,000 bytes) scored by m:")
        .contains("small-vocab        400 tokens  ppl_token     7.389  bits/byte 1.1542")
        .contains("big-vocab          250 tokens  ppl_token    27.113  bits/byte 1.1902")
        .contains("token perplexity differs 3.67x across tokenizers, bits per byte 3.1%")
        .doesNotContain("alone");
  }

  @Test
  void saysNothingWithoutTwoTokenizers() {
    assertThat(TokenizerLesson.text(List.of(row("m", "t", CorpusRow.ALL_DOMAINS, 10, 1.0))))
        .isEmpty();
  }

  private static CorpusRow row(
      String model, String tokenizer, String domain, long tokens, double meanNll) {
    double nll = tokens * meanNll;
    long bytes = 1000;
    return new CorpusRow(
        model,
        tokenizer,
        domain,
        1,
        tokens,
        bytes,
        null,
        null,
        nll,
        meanNll,
        Math.exp(meanNll),
        meanNll / Math.log(2),
        nll / (Math.log(2) * bytes),
        null,
        Math.exp(nll / bytes),
        null,
        CorpusRow.ALL_DOMAINS.equals(domain) ? 1 : null,
        null,
        null,
        new Double[SoftColumn.values().length],
        new Double[SoftColumn.values().length],
        List.of(),
        null,
        List.of());
  }
}
