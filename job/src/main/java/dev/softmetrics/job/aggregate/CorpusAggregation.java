package dev.softmetrics.job.aggregate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.softmetrics.job.score.ScoredRows;
import dev.softmetrics.udfs.corpus.CorpusMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Pools the scored sequences into the {@code corpus/} rows: micro aggregates per (model, tokenizer,
 * domain), and one {@code __all__} row per (model, tokenizer) with the macro means over its
 * domains.
 *
 * <p>Spark sums the groups (in the cluster, exactly: NLL as decimal(38,18), counts as longs); the
 * handful of group totals then come to the driver, where {@link CorpusMetrics} turns them into the
 * figures.
 */
public final class CorpusAggregation {
  private CorpusAggregation() {}

  /** Decimal type of the exact NLL sum: 20 integer digits, 18 fractional. */
  private static final org.apache.spark.sql.types.DecimalType EXACT =
      DataTypes.createDecimalType(38, 18);

  /** Group totals of the scored sequences (columns as in {@link ScoredRows}). */
  public static List<GroupTotals> totals(Dataset<Row> sequences) {
    List<Row> rows =
        sequences
            .groupBy(col(ScoredRows.MODEL), col(ScoredRows.TOKENIZER), col(ScoredRows.DOMAIN))
            .agg(
                count(lit(1)).as("sequences"),
                sum(ScoredRows.TOKENS).as("tokens"),
                sum(ScoredRows.BYTES).as("bytes"),
                sum(ScoredRows.CHARS).as("chars"),
                count(ScoredRows.CHARS).as("with_chars"),
                sum(ScoredRows.WORDS).as("words"),
                count(ScoredRows.WORDS).as("with_words"),
                sum(col(ScoredRows.NLL_SUM).cast(EXACT)).as("nll_sum"))
            .collectAsList();
    List<GroupTotals> totals = new ArrayList<>(rows.size());
    for (Row r : rows) {
      long sequenceCount = r.getLong(3);
      totals.add(
          new GroupTotals(
              r.getString(0),
              r.getString(1),
              r.getString(2),
              sequenceCount,
              r.getLong(4),
              r.getLong(5),
              r.getLong(7) == sequenceCount ? r.getLong(6) : null,
              r.getLong(9) == sequenceCount ? r.getLong(8) : null,
              r.getDecimal(10)));
    }
    totals.sort(
        Comparator.comparing(GroupTotals::model)
            .thenComparing(GroupTotals::tokenizer)
            .thenComparing(GroupTotals::domain));
    return totals;
  }

  /**
   * Corpus rows: each group's row, then after each (model, tokenizer) its {@code __all__} roll-up.
   */
  public static List<CorpusRow> rows(List<GroupTotals> totals) {
    Map<String, List<GroupTotals>> byModelTokenizer = new LinkedHashMap<>();
    for (GroupTotals t : totals) {
      byModelTokenizer
          .computeIfAbsent(t.model() + '\u0000' + t.tokenizer(), k -> new ArrayList<>())
          .add(t);
    }
    List<CorpusRow> out = new ArrayList<>();
    for (List<GroupTotals> domains : byModelTokenizer.values()) {
      List<CorpusRow> domainRows = new ArrayList<>();
      GroupTotals all = null;
      for (GroupTotals t : domains) {
        domainRows.add(row(t, t.domain(), null, null, null));
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
              CorpusMetrics.macroMean(bpb)));
    }
    return out;
  }

  private static CorpusRow row(
      GroupTotals t, String domain, Integer domains, Double macroNll, Double macroBpb) {
    double nll = t.nllSum().doubleValue();
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
        CorpusMetrics.meanNll(nll, t.tokens()),
        CorpusMetrics.pplToken(nll, t.tokens()),
        CorpusMetrics.bitsPerToken(nll, t.tokens()),
        CorpusMetrics.bitsPerByte(nll, t.bytes()),
        t.chars() == null ? null : CorpusMetrics.bitsPerChar(nll, t.chars()),
        CorpusMetrics.pplByte(nll, t.bytes()),
        t.words() == null ? null : CorpusMetrics.pplWord(nll, t.words()),
        domains,
        macroNll,
        macroBpb);
  }
}
