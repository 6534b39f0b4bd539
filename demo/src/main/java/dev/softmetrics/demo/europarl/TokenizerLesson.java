package dev.softmetrics.demo.europarl;

import dev.softmetrics.job.aggregate.CorpusRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's lesson in numbers, from the held-out run's {@code __all__} rows: per model, the same
 * text under each tokenizer, its token count, token perplexity and bits per byte, and how far apart
 * the tokenizers put each figure.
 */
public final class TokenizerLesson {
  private TokenizerLesson() {}

  /** The lesson's lines, or an empty string when no model was scored under two tokenizers. */
  public static String text(List<CorpusRow> corpus) {
    Map<String, List<CorpusRow>> byModel = new LinkedHashMap<>();
    for (CorpusRow c : corpus) {
      if (c.isRollup()) {
        byModel.computeIfAbsent(c.model(), m -> new ArrayList<>()).add(c);
      }
    }
    StringBuilder out = new StringBuilder();
    byModel.forEach(
        (model, rows) -> {
          if (rows.size() < 2) {
            return;
          }
          out.append(
              String.format(
                  Locale.ROOT,
                  "The same text (%,d bytes) scored by %s:%n",
                  rows.get(0).bytes(),
                  model));
          for (CorpusRow c : rows) {
            out.append(
                String.format(
                    Locale.ROOT,
                    "  %-12s %,9d tokens  ppl_token %9.3f  bits/byte %.4f%n",
                    c.tokenizer(),
                    c.tokens(),
                    c.pplToken(),
                    c.bitsPerByte()));
          }
          out.append(
              String.format(
                  Locale.ROOT,
                  "  token perplexity differs %.2fx across tokenizers, bits per byte %.1f%%%n",
                  spread(rows, CorpusRow::pplToken),
                  100 * (spread(rows, CorpusRow::bitsPerByte) - 1)));
        });
    if (out.length() > 0) {
      out.append(
          "Token perplexity is per token, and the tokenizers cut the same text into different"
              + " numbers of tokens;\nbits per byte is per byte of the same text: compare across"
              + " tokenizers by bits per byte\n(what gap remains there is a real difference between"
              + " the models).\n");
    }
    return out.toString();
  }

  /** max / min of a figure over the rows. */
  private static double spread(
      List<CorpusRow> rows, java.util.function.ToDoubleFunction<CorpusRow> figure) {
    double max = rows.stream().mapToDouble(figure).max().orElseThrow();
    double min = rows.stream().mapToDouble(figure).min().orElseThrow();
    return max / min;
  }
}
