package dev.softmetrics.notebooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** The charts of any output, on small tables written here with DuckDB; values set by hand. */
class RunChartsTest {
  @TempDir Path root;

  private void write(String table, String rows) throws Exception {
    Path dir = Files.createDirectories(root.resolve(table));
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("COPY (" + rows + ") TO '" + dir.resolve("part-0.parquet") + "'");
    }
  }

  private void writeOutput() throws Exception {
    write(
        "corpus",
        "SELECT * FROM (VALUES"
            + " ('kn3', 'r50k_base', 'de', 1.70, 1.65, 1.76, 20.0, 18.0, 22.0, 0.95, '100', 2.0, 0.5),"
            + " ('kn3', 'r50k_base', '__all__', 1.60, 1.58, 1.62, 15.0, 14.0, 16.0, 0.95, '100', 1.9,"
            + " 0.4),"
            + " ('kn3', 'o200k_base', 'de', 1.80, NULL, NULL, 200.0, NULL, NULL, NULL, '200', 1.5,"
            + " NULL)) v(model, tokenizer, domain, bits_per_byte, bits_per_byte_ci_low,"
            + " bits_per_byte_ci_high, ppl_token, ppl_token_ci_low, ppl_token_ci_high,"
            + " ci_confidence, step, mean_entropy, kl_k3)");
    write(
        "comparisons",
        "SELECT * FROM (VALUES ('kn2', 'r50k_base', 'kn3', 'r50k_base', 'de', -0.2, -0.25, -0.15,"
            + " 0.9)) v(model_a, tokenizer_a, model_b, tokenizer_b, domain, bits_per_byte_diff,"
            + " bits_per_byte_diff_ci_low, bits_per_byte_diff_ci_high, ci_confidence)");
    write("runs", "SELECT 'r1' AS run_id, TIMESTAMP '2026-12-07 10:00:00' AS ended_at");
  }

  private static XYSeries series(XYChart chart, String name) {
    assertThat(chart.getSeriesMap()).containsKey(name);
    return chart.getSeriesMap().get(name);
  }

  @Test
  void intervalsShowTheHeadlineOfEachModelAndTokenizerWithItsBars() throws Exception {
    writeOutput();
    try (DemoTables t = DemoTables.openOutput(root)) {
      assertThat(RunCharts.headline(t)).isEqualTo("bits_per_byte");
      XYChart chart = RunCharts.intervals(t);

      assertThat(chart.getTitle())
          .isEqualTo("run r1: bits per byte per domain, with 95% bootstrap intervals");
      assertThat(chart.getYAxisTitle()).isEqualTo("bits per byte");
      // Domains de (0) and __all__ (1); two series, o200k_base left of r50k_base around each.
      XYSeries r50k = series(chart, "kn3 / r50k_base");
      assertThat(r50k.getYData()).containsExactlyInAnyOrder(1.70, 1.60);
      XYSeries o200k = series(chart, "kn3 / o200k_base");
      assertThat(o200k.getYData()).containsExactly(1.80);
      assertThat(o200k.getXData()[0]).isLessThan(0).isGreaterThan(-0.5);
      XYSeries bar = series(chart, "kn3 / r50k_base interval de");
      assertThat(bar.getYData()).containsExactly(1.65, 1.76);
      assertThat(bar.isShowInLegend()).isFalse();
      assertThat(bar.getLineColor()).isEqualTo(Palette.colour("kn3"));
      assertThat(chart.getSeriesMap()).doesNotContainKey("kn3 / o200k_base interval de");
      // The axis is not forced to zero.
      assertThat(chart.getStyler().getYAxisMin()).isNull();
    }
  }

  @Test
  void oneTokenizerMakesTokenPerplexityTheHeadline() throws Exception {
    write(
        "corpus",
        "SELECT 'kn3' AS model, 't' AS tokenizer, 'de' AS domain, 20.0 AS ppl_token,"
            + " 18.0 AS ppl_token_ci_low, 22.0 AS ppl_token_ci_high, 0.95 AS ci_confidence");
    write("runs", "SELECT 'r2' AS run_id, TIMESTAMP '2026-12-07 10:00:00' AS ended_at");
    try (DemoTables t = DemoTables.openOutput(root)) {
      XYChart chart = RunCharts.intervals(t);
      assertThat(chart.getYAxisTitle()).isEqualTo("token perplexity");
      assertThat(series(chart, "kn3 / t interval de").getYData()).containsExactly(18.0, 22.0);
    }
  }

  @Test
  void comparisonsShowEachPairsDifferenceIntervalAndZero() throws Exception {
    writeOutput();
    try (DemoTables t = DemoTables.openOutput(root)) {
      XYChart chart = RunCharts.comparisons(t);

      assertThat(chart.getTitle()).contains("90% paired intervals (below 0: b is better)");
      assertThat(series(chart, "kn3 / r50k_base minus kn2 / r50k_base").getYData())
          .containsExactly(-0.2);
      assertThat(series(chart, "kn3 / r50k_base minus kn2 / r50k_base interval de").getYData())
          .containsExactly(-0.25, -0.15);
      assertThat(series(chart, "no difference").getYData()).containsExactly(0, 0);
    }
  }

  @Test
  void positionsAreSkippedWithoutTheFolderAndDrawnWithIt() throws Exception {
    writeOutput();
    try (DemoTables t = DemoTables.openOutput(root)) {
      assertThat(t.has("positions")).isFalse();
      assertThat(RunCharts.positions(t)).isNull();
    }
    write(
        "positions",
        "SELECT * FROM (VALUES ('kn3', 't', '__all__', 0, 0, 0, 3.0), ('kn3', 't', '__all__', 1,"
            + " 1, 2, 2.5), ('kn3', 't', 'de', 0, 0, 0, 9.0)) v(model, tokenizer, domain,"
            + " position_bucket, first_position, last_position, mean_nll)");
    try (DemoTables t = DemoTables.openOutput(root)) {
      XYSeries line = series(RunCharts.positions(t), "kn3 / t");
      // Bucket 0 is position 0 (1 as 1-based), bucket 1 positions 1-2 (middle 2.5).
      assertThat(line.getXData()).containsExactly(1.0, 2.5);
      assertThat(line.getYData()).containsExactly(3.0, 2.5);
    }
  }

  @Test
  void entropyAndKlByAnExtraLabel() throws Exception {
    writeOutput();
    try (DemoTables t = DemoTables.openOutput(root)) {
      List<XYChart> charts = RunCharts.byLabel(t, "step");
      assertThat(charts).hasSize(2);
      assertThat(charts.get(0).getXAxisTitle()).isEqualTo("step");
      assertThat(series(charts.get(0), "kn3 / r50k_base").getYData()).containsExactly(1.9);
      assertThat(series(charts.get(0), "kn3 / r50k_base").getXData()).containsExactly(100.0);
      assertThat(series(charts.get(1), "kn3 / r50k_base").getYData()).containsExactly(0.4);
      // o200k_base has no __all__ row here: no line.
      assertThat(charts.get(0).getSeriesMap()).doesNotContainKey("kn3 / o200k_base");

      assertThatThrownBy(() -> RunCharts.byLabel(t, "stpe"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid label: stpe (must be an extra label column of corpus/")
          .hasMessageContaining("step");
    }
  }

  @Test
  void aFolderOfOutputsNamesTheSubfoldersThatHoldTables() throws Exception {
    Files.createDirectories(root.resolve("heldout/corpus"));
    Files.createDirectories(root.resolve("logits/corpus"));
    Files.createDirectories(root.resolve("notes"));
    assertThatThrownBy(() -> DemoTables.openOutput(root))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith(
            "has no corpus/ folder, but these subfolders hold tables: heldout, logits (give one"
                + " of them)");
  }

  @Test
  void coloursAreFixedPerNameWhateverTheChart() {
    assertThat(Palette.colour("r50k_base")).isNotEqualTo(Palette.colour("o200k_base"));
    assertThat(Palette.colour("kn3")).isNotEqualTo(Palette.colour("kn2"));
    assertThat(Palette.colour("my-model")).isEqualTo(Palette.colour("my-model"));
  }
}
