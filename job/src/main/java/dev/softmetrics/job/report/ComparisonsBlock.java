package dev.softmetrics.job.report;

import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.analysis.Comparison;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The summary's comparisons: per domain and pair of models, the difference in bits per byte over
 * the sequences both scored (b minus a), its paired-bootstrap interval, and which model is better
 * when the interval excludes 0. Bits per byte, because it is the figure {@code comparisons/}
 * decides {@code better} on and the one that compares across tokenizers.
 */
final class ComparisonsBlock {
  private ComparisonsBlock() {}

  private static final String NO_CLEAR_DIFFERENCE = "no clear difference";

  /** The block, or an empty string when there is nothing to compare. */
  static String text(List<Comparison> comparisons, int maxRows) {
    if (comparisons.isEmpty()) {
      return "";
    }
    List<Comparison> sorted = new ArrayList<>(comparisons);
    sorted.sort(
        Comparator.comparing((Comparison c) -> c.domain().equals(CorpusRow.ALL_DOMAINS))
            .thenComparing(Comparison::domain)
            .thenComparing(Comparison::modelA)
            .thenComparing(Comparison::tokenizerA)
            .thenComparing(Comparison::modelB)
            .thenComparing(Comparison::tokenizerB));
    List<Comparison> shown = sorted.subList(0, Math.min(maxRows, sorted.size()));
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "domain",
          "model a",
          "model b",
          "sequences",
          "bits/byte a",
          "bits/byte b",
          "b - a",
          interval(shown) + " interval",
          "better"
        });
    shown.forEach(c -> rows.add(row(c)));
    StringBuilder out =
        new StringBuilder(
            "Comparisons (paired bootstrap over the sequences both models scored; bits per"
                + " byte, lower is better):\n");
    out.append(TextTable.render(rows, i -> i < 3 || i == 8));
    if (sorted.size() > maxRows) {
      out.append(
          String.format(
              Locale.ROOT,
              "... %d more rows in comparisons/ (summary.max-rows = %d)%n",
              sorted.size() - maxRows,
              maxRows));
    }
    return out.toString();
  }

  private static String[] row(Comparison c) {
    return new String[] {
      c.domain(),
      model(c.modelA(), c.tokenizerA()),
      model(c.modelB(), c.tokenizerB()),
      String.format(Locale.ROOT, "%,d", c.sequences()),
      String.format(Locale.ROOT, "%.4f", c.bitsPerByteA()),
      String.format(Locale.ROOT, "%.4f", c.bitsPerByteB()),
      String.format(Locale.ROOT, "%+.4f", c.bitsPerByteDiff()),
      c.bitsPerByteDiffLow() == null
          ? "-"
          : String.format(
              Locale.ROOT, "%+.4f..%+.4f", c.bitsPerByteDiffLow(), c.bitsPerByteDiffHigh()),
      better(c)
    };
  }

  /** The better model; without an interval (too few sequences, or no replicates) none is named. */
  private static String better(Comparison c) {
    if (c.better() != null) {
      return model(c.better(), c.betterTokenizer());
    }
    return c.bitsPerByteDiffLow() == null ? "-" : NO_CLEAR_DIFFERENCE;
  }

  private static String model(String model, String tokenizer) {
    return model + " (" + tokenizer + ")";
  }

  /** "95%" for the confidence of the first comparison with an interval; all share the run's. */
  private static String interval(List<Comparison> shown) {
    return shown.stream()
        .filter(c -> c.confidence() != null)
        .findFirst()
        .map(c -> RunSummary.percent(c.confidence()))
        .orElse("paired");
  }
}
