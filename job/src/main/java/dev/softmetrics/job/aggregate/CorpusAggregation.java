package dev.softmetrics.job.aggregate;

import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.corpus.CorpusFlags;
import dev.softmetrics.udfs.corpus.CorpusMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the group totals of a run into the {@code corpus/} rows: micro aggregates per (model,
 * tokenizer, extra labels, domain), and one {@code __all__} row per (model, tokenizer, extra
 * labels) with the macro means over its domains.
 *
 * <p>The scoring pass sums the groups in its tasks (exactly: NLL as {@link
 * dev.softmetrics.udfs.corpus.ExactSum}, counts as longs); the handful of group totals come to the
 * driver, where {@link CorpusMetrics} turns them into the figures.
 */
public final class CorpusAggregation {
  private CorpusAggregation() {}

  /**
   * Corpus rows: each group's row, then after each (model, tokenizer) its {@code __all__} roll-up.
   */
  public static List<CorpusRow> rows(List<GroupTotals> totals, CorpusFlags flags) {
    Map<List<String>, List<GroupTotals>> byModelTokenizer = new LinkedHashMap<>();
    for (GroupTotals t : totals) {
      byModelTokenizer.computeIfAbsent(t.rollUpKey(), k -> new ArrayList<>()).add(t);
    }
    List<CorpusRow> out = new ArrayList<>();
    for (List<GroupTotals> domains : byModelTokenizer.values()) {
      List<CorpusRow> domainRows = new ArrayList<>();
      GroupTotals all = null;
      for (GroupTotals t : domains) {
        domainRows.add(row(t, t.domain(), null, null, null, flags));
        all = all == null ? t : all.plus(t);
      }
      out.addAll(domainRows);
      double[] meanNll = new double[domainRows.size()];
      double[] bpb = new double[domainRows.size()];
      for (int i = 0; i < meanNll.length; i++) {
        meanNll[i] = domainRows.get(i).meanNll();
        bpb[i] = domainRows.get(i).bitsPerByte();
      }
      out.add(
          row(
              all,
              CorpusRow.ALL_DOMAINS,
              domainRows.size(),
              CorpusMetrics.macroMean(meanNll),
              CorpusMetrics.macroMean(bpb),
              flags));
    }
    return out;
  }

  private static CorpusRow row(
      GroupTotals t,
      String domain,
      Integer domains,
      Double macroNll,
      Double macroBpb,
      CorpusFlags flags) {
    double nll = t.nllSum().doubleValue();
    Double[] soft = new Double[SoftColumn.COUNT];
    Double[] perSequence = new Double[SoftColumn.COUNT];
    for (SoftColumn c : SoftColumn.values()) {
      soft[c.ordinal()] = t.softMean(c);
      perSequence[c.ordinal()] = t.softPerSequence(c);
    }
    double meanNll = CorpusMetrics.meanNll(nll, t.tokens());
    Double klToReference = klFlagged(soft);
    return new CorpusRow(
        t.model(),
        t.tokenizer(),
        domain,
        t.sequences(),
        t.tokens(),
        t.bytes(),
        t.chars(),
        t.words(),
        nll,
        meanNll,
        CorpusMetrics.pplToken(nll, t.tokens()),
        CorpusMetrics.bitsPerToken(nll, t.tokens()),
        CorpusMetrics.bitsPerByte(nll, t.bytes()),
        t.chars() == null ? null : CorpusMetrics.bitsPerChar(nll, t.chars()),
        CorpusMetrics.pplByte(nll, t.bytes()),
        t.words() == null ? null : CorpusMetrics.pplWord(nll, t.words()),
        domains,
        macroNll,
        macroBpb,
        soft,
        perSequence,
        flags.of(
            soft[SoftColumn.MEAN_ENTROPY.ordinal()],
            soft[SoftColumn.ENTROPY_LOWER.ordinal()],
            soft[SoftColumn.ENTROPY_UPPER.ordinal()],
            meanNll,
            t.vocab(),
            klToReference),
        null,
        t.extraLabels());
  }

  /**
   * The KL the flags read, per token: the exact {@code kl_reverse} where logits give it, else the
   * k1 estimate. Not k3: its mean over sampled tokens falls far short of the KL when the policy is
   * much sharper than the reference (docs/RL.md), exactly when the flags matter.
   */
  public static Double klFlagged(Double[] soft) {
    Double reverse = soft[SoftColumn.KL_REVERSE.ordinal()];
    return reverse != null ? reverse : soft[SoftColumn.KL_K1.ordinal()];
  }
}
