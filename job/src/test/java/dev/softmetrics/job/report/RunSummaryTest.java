package dev.softmetrics.job.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.aggregate.CorpusInterval;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.analysis.Comparison;
import dev.softmetrics.job.tables.SoftColumn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The printed summary: which rows, the headline's interval, the comparisons block. No Spark. */
class RunSummaryTest {

  /** A corpus row whose figures are what the table prints; the rest does not matter here. */
  private static CorpusRow row(
      String model, String tokenizer, String domain, Integer domains, CorpusInterval ci) {
    return new CorpusRow(
        model,
        tokenizer,
        domain,
        10,
        100,
        400,
        null,
        null,
        200.0,
        2.0,
        Math.exp(2.0),
        2.0 / Math.log(2),
        0.5 / Math.log(2),
        null,
        Math.exp(0.5),
        null,
        domains,
        null,
        null,
        new Double[SoftColumn.values().length],
        new Double[SoftColumn.values().length],
        List.of(),
        ci,
        List.of());
  }

  private static final CorpusInterval CI = new CorpusInterval(6.9, 7.9, 0.70, 0.75, 1000, 0.95);

  @Test
  void aGroupOfOneDomainPrintsOneLineNotItsRollupToo() {
    String table =
        RunSummary.table(
            List.of(
                row("m1", "t1", "web", null, null),
                row("m1", "t1", CorpusRow.ALL_DOMAINS, 1, null),
                row("m2", "t1", "web", null, null),
                row("m2", "t1", "code", null, null),
                row("m2", "t1", CorpusRow.ALL_DOMAINS, 2, null)),
            List.of(),
            100);

    List<String> body = table.lines().skip(2).toList();
    assertThat(body).hasSize(4);
    assertThat(body.get(0)).matches("m1 +t1 +web +10 .*");
    assertThat(body.get(3)).matches("m2 +t1 +__all__ \\(2\\) +10 .*");
    assertThat(table).doesNotContain("__all__ (1)");
  }

  @Test
  void maxRowsCountsOnlyThePrintedRows() {
    String table =
        RunSummary.table(
            List.of(
                row("m1", "t1", "web", null, null),
                row("m1", "t1", CorpusRow.ALL_DOMAINS, 1, null),
                row("m2", "t1", "web", null, null)),
            List.of(),
            1);

    assertThat(table).contains("... 1 more rows in corpus/ (summary.max-rows = 1)");
  }

  @Test
  void oneTokenizerShowsTheTokenPerplexityInterval() {
    String table =
        RunSummary.table(
            List.of(row("m1", "t1", "web", null, CI), row("m2", "t1", "web", null, null)),
            List.of(),
            100);

    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).endsWith("bits/char  ppl_token 95% CI");
    // bits/char is null ("-"), then the interval of m1; m2 has none.
    assertThat(lines.get(2)).matches(".* 0\\.7213 +- +6\\.900\\.\\.7\\.900");
    assertThat(lines.get(3)).matches(".* 0\\.7213 +- +-");
  }

  @Test
  void twoTokenizersShowTheBitsPerByteInterval() {
    String table =
        RunSummary.table(
            List.of(
                row("m1", "t1", "web", null, CI),
                row("m1", "t2", "web", null, new CorpusInterval(1, 2, 0.7, 0.8, 10, 0.9))),
            List.of(),
            100);

    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).endsWith("bits/char  bits/byte 95% CI");
    assertThat(lines.get(2)).endsWith("  0.7000..0.7500");
    assertThat(lines.get(3)).endsWith("  0.7000..0.8000");
  }

  @Test
  void noIntervalsNoIntervalColumn() {
    assertThat(
            RunSummary.table(List.of(row("m1", "t1", "web", null, null)), List.of(), 100).lines())
        .first()
        .asString()
        .endsWith("bits/char");
  }

  private static Comparison comparison(
      String domain, String b, double diff, Double low, Double high, String better) {
    return new Comparison(
        "small",
        "t1",
        b,
        "t1",
        domain,
        40,
        1.0,
        1.0 + diff,
        diff,
        low,
        high,
        2.0,
        2.1,
        0.1,
        null,
        null,
        better,
        better == null ? null : "t1",
        low == null ? null : 1000,
        low == null ? null : 0.95,
        List.of());
  }

  @Test
  void comparisonsSayWhichModelIsBetterByHowMuchWithThePairedInterval() {
    String block =
        ComparisonsBlock.text(
            List.of(
                comparison(CorpusRow.ALL_DOMAINS, "large", -0.25, -0.3, -0.2, "large"),
                comparison("web", "large", 0.01, -0.02, 0.04, null),
                comparison("code", "tiny", 0.5, null, null, null)),
            100);

    assertThat(block.lines().toList())
        .containsExactly(
            "Comparisons (paired bootstrap over the sequences both models scored; bits per byte,"
                + " lower is better):",
            "domain   model a     model b     sequences  bits/byte a  bits/byte b    b - a"
                + "      95% interval  better",
            "-------  ----------  ----------  ---------  -----------  -----------  -------"
                + "  ----------------  -------------------",
            "code     small (t1)  tiny (t1)          40       1.0000       1.5000  +0.5000"
                + "                 -  -",
            "web      small (t1)  large (t1)         40       1.0000       1.0100  +0.0100"
                + "  -0.0200..+0.0400  no clear difference",
            "__all__  small (t1)  large (t1)         40       1.0000       0.7500  -0.2500"
                + "  -0.3000..-0.2000  large (t1)");
  }

  @Test
  void noComparisonsNoBlock() {
    assertThat(ComparisonsBlock.text(List.of(), 10)).isEmpty();
  }

  @Test
  void confidenceIsPrintedAsAPercentage() {
    assertThat(RunSummary.percent(0.95)).isEqualTo("95%");
    assertThat(RunSummary.percent(0.999)).isEqualTo("99.9%");
  }
}
