package dev.softmetrics.job.aggregate;

import dev.softmetrics.udfs.corpus.CorpusMetrics;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a run's group totals into the {@code positions/} rows: per (model, tokenizer, extra labels,
 * domain) and per (model, tokenizer, extra labels) over all domains ({@code __all__}, as in {@code
 * corpus/}), one row per position bucket that holds a token. A group some of whose sequences were
 * stored without position buckets (by a version before them) has no rows, nor has its roll-up:
 * partial figures would pass for whole ones.
 */
public final class PositionsAggregation {
  private PositionsAggregation() {}

  /** The rows, group by group in the order of {@code totals}, each roll-up after its groups. */
  public static List<PositionRow> rows(List<GroupTotals> totals) {
    Map<List<String>, List<GroupTotals>> byModelTokenizer = new LinkedHashMap<>();
    for (GroupTotals t : totals) {
      byModelTokenizer.computeIfAbsent(t.rollUpKey(), k -> new ArrayList<>()).add(t);
    }
    List<PositionRow> out = new ArrayList<>();
    for (List<GroupTotals> domains : byModelTokenizer.values()) {
      GroupTotals all = null;
      for (GroupTotals t : domains) {
        addRows(t, t.domain(), out);
        all = all == null ? t : all.plus(t);
      }
      addRows(all, CorpusRow.ALL_DOMAINS, out);
    }
    return out;
  }

  private static void addRows(GroupTotals t, String domain, List<PositionRow> out) {
    PositionTotals p = t.positions();
    if (p.sequences() != t.sequences()) {
      return;
    }
    for (int k = 0; k < p.buckets(); k++) {
      long tokens = p.tokens(k);
      if (tokens == 0) {
        continue;
      }
      double nll = p.nll(k);
      Double entropy = p.entropy(k);
      out.add(
          new PositionRow(
              t.model(),
              t.tokenizer(),
              domain,
              k,
              PositionBuckets.firstPosition(k),
              PositionBuckets.lastPosition(k),
              tokens,
              nll,
              CorpusMetrics.meanNll(nll, tokens),
              CorpusMetrics.pplToken(nll, tokens),
              entropy == null ? null : entropy / tokens,
              t.extraLabels()));
    }
  }
}
