package dev.softmetrics.job.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.softmetrics.job.aggregate.CorpusAggregation;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.analysis.Comparison;
import dev.softmetrics.job.output.RunRecord;
import dev.softmetrics.job.tables.SoftColumn;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run prints when it ends: a table of the corpus rows for people, then one line of JSON with
 * the run's counts for scripts.
 */
public final class RunSummary {
  private RunSummary() {}

  private static final String[] HEADER = {
    "model",
    "tokenizer",
    "domain",
    "sequences",
    "tokens",
    "bytes",
    "mean_nll",
    "ppl_token",
    "bits/byte",
    "bits/char"
  };

  /** Under a table with KL: which KL it shows, what the flags read, where the RL units are. */
  static final String KL_NOTE =
      "kl(q||ref): nats per token, kl_reverse (logits) else the k1 estimate (ref_logprobs);"
          + " KL_WARNING and KL_ALARM read it. Per sequence, as RL libraries log KL:"
          + " corpus/ kl_*_per_sequence.\n";

  /**
   * The human table: one line per model x tokenizer x domain, the {@code __all__} roll-up after
   * each group of more than one domain (a group of one would print its only row twice). The extra
   * labels ({@code labels.extra}, named {@code extraLabels}) have a column each after {@code
   * tokenizer}. The headline figure's bootstrap interval follows the fixed columns when some row
   * has one: {@code ppl_token}'s when every row is of one tokenizer (token perplexities compare
   * only then), else bits per byte's. Columns for entropy, KL and flags appear when some row has
   * them: {@code entropy} is the mean entropy, or its top-k bounds as {@code lo..hi}; {@code
   * kl(q||ref)} is the KL the flags read (per token: kl_reverse from logits, else the k1 estimate
   * from ref_logprobs), said in a line under the table.
   */
  public static String table(List<CorpusRow> corpus, List<String> extraLabels, int maxRows) {
    List<CorpusRow> printed = corpus.stream().filter(c -> !isSingleDomainRollup(c)).toList();
    List<CorpusRow> shown = printed.subList(0, Math.min(maxRows, printed.size()));
    Headline headline = Headline.of(corpus);
    boolean interval = shown.stream().anyMatch(c -> c.interval() != null);
    boolean entropy = shown.stream().anyMatch(c -> entropy(c) != null);
    boolean kl = shown.stream().anyMatch(c -> kl(c) != null);
    boolean flags = shown.stream().anyMatch(c -> !c.flags().isEmpty());
    List<String> header = new ArrayList<>(List.of(HEADER));
    if (interval) {
      header.add(headline.intervalHeader(shown));
    }
    header.addAll(2, extraLabels);
    if (entropy) {
      header.add("entropy");
    }
    if (kl) {
      header.add("kl(q||ref)");
    }
    if (flags) {
      header.add("flags");
    }
    List<String[]> cells = new ArrayList<>();
    cells.add(header.toArray(new String[0]));
    for (CorpusRow c : shown) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  c.model(),
                  c.tokenizer(),
                  c.isRollup() ? c.domain() + " (" + c.domains() + ")" : c.domain(),
                  String.format(Locale.ROOT, "%,d", c.sequences()),
                  String.format(Locale.ROOT, "%,d", c.tokens()),
                  String.format(Locale.ROOT, "%,d", c.bytes()),
                  String.format(Locale.ROOT, "%.4f", c.meanNll()),
                  String.format(Locale.ROOT, "%.3f", c.pplToken()),
                  String.format(Locale.ROOT, "%.4f", c.bitsPerByte()),
                  c.bitsPerChar() == null
                      ? "-"
                      : String.format(Locale.ROOT, "%.4f", c.bitsPerChar())));
      if (interval) {
        row.add(headline.interval(c));
      }
      row.addAll(2, c.extraLabels());
      if (entropy) {
        row.add(entropy(c) == null ? "-" : entropy(c));
      }
      if (kl) {
        row.add(kl(c) == null ? "-" : String.format(Locale.ROOT, "%.4f", kl(c)));
      }
      if (flags) {
        row.add(String.join(",", c.flags()));
      }
      cells.add(row.toArray(new String[0]));
    }
    int flagsColumn = flags ? header.size() - 1 : -1;
    int labels = 3 + extraLabels.size();
    StringBuilder out =
        new StringBuilder(TextTable.render(cells, i -> i < labels || i == flagsColumn));
    if (kl) {
      out.append(KL_NOTE);
    }
    if (printed.size() > maxRows) {
      out.append(
          String.format(
              Locale.ROOT,
              "... %d more rows in corpus/ (summary.max-rows = %d)%n",
              printed.size() - maxRows,
              maxRows));
    }
    return out.toString();
  }

  /** A roll-up over one domain repeats that domain's row. */
  private static boolean isSingleDomainRollup(CorpusRow c) {
    return c.isRollup() && c.domains() != null && c.domains() == 1;
  }

  private static String entropy(CorpusRow c) {
    Double mean = c.soft(SoftColumn.MEAN_ENTROPY);
    if (mean != null) {
      return String.format(Locale.ROOT, "%.4f", mean);
    }
    Double lower = c.soft(SoftColumn.ENTROPY_LOWER);
    Double upper = c.soft(SoftColumn.ENTROPY_UPPER);
    return lower == null || upper == null
        ? null
        : String.format(Locale.ROOT, "%.3f..%.3f", lower, upper);
  }

  private static Double kl(CorpusRow c) {
    return CorpusAggregation.klFlagged(c.soft());
  }

  /** The one-line JSON of the run's counts. */
  public static String json(RunRecord run, String output) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("run_id", run.runId());
    line.put("status", run.status());
    line.put("output", output);
    line.put("input_files", run.inputFiles().size());
    line.put("rows_read", run.rowsRead());
    line.put("rows_scored", run.rowsScored());
    line.put("sequences_scored", run.sequencesScored());
    line.put("rows_rejected", run.rowsRejected());
    line.put("accounting_ok", run.accountingOk());
    line.put("skipped_files", run.skippedFiles().size());
    line.put("seconds", (run.endedAt().toEpochMilli() - run.startedAt().toEpochMilli()) / 1000.0);
    try {
      return new ObjectMapper().writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot render the run's JSON line", e);
    }
  }

  /** Prints the table, the comparisons when there are some, then the JSON line. */
  public static void print(
      PrintStream out,
      List<CorpusRow> corpus,
      List<Comparison> comparisons,
      List<String> extraLabels,
      RunRecord run,
      String output,
      int maxRows) {
    out.print(table(corpus, extraLabels, maxRows));
    out.println();
    String block = ComparisonsBlock.text(comparisons, maxRows);
    if (!block.isEmpty()) {
      out.print(block);
      out.println();
    }
    out.println(json(run, output));
  }

  /** A confidence as a percentage: 0.95 is "95%", 0.999 "99.9%". */
  static String percent(double confidence) {
    return new BigDecimal(confidence * 100)
            .round(new MathContext(6))
            .stripTrailingZeros()
            .toPlainString()
        + "%";
  }
}
