package dev.softmetrics.job.report;

import dev.softmetrics.job.aggregate.CorpusInterval;
import dev.softmetrics.job.aggregate.CorpusRow;
import java.util.List;
import java.util.Locale;

/**
 * The figure a reader compares rows by, whose bootstrap interval the summary prints: token
 * perplexity when every row is of one tokenizer (tokens are then the same unit everywhere), bits
 * per byte otherwise (the one figure that compares across tokenizers).
 */
enum Headline {
  PPL_TOKEN("ppl_token"),
  BITS_PER_BYTE("bits/byte");

  private final String column;

  Headline(String column) {
    this.column = column;
  }

  /** The headline of a summary over these rows. */
  static Headline of(List<CorpusRow> corpus) {
    return corpus.stream().map(CorpusRow::tokenizer).distinct().count() == 1
        ? PPL_TOKEN
        : BITS_PER_BYTE;
  }

  /** The interval column's header, e.g. {@code bits/byte 95% CI}. */
  String intervalHeader(List<CorpusRow> shown) {
    double confidence =
        shown.stream()
            .map(CorpusRow::interval)
            .filter(ci -> ci != null)
            .findFirst()
            .orElseThrow()
            .confidence();
    return column + " " + RunSummary.percent(confidence) + " CI";
  }

  /** A row's interval as {@code low..high}, or "-" when the row has none. */
  String interval(CorpusRow row) {
    CorpusInterval ci = row.interval();
    if (ci == null) {
      return "-";
    }
    return this == PPL_TOKEN
        ? String.format(Locale.ROOT, "%.3f..%.3f", ci.pplTokenLow(), ci.pplTokenHigh())
        : String.format(Locale.ROOT, "%.4f..%.4f", ci.bitsPerByteLow(), ci.bitsPerByteHigh());
  }
}
