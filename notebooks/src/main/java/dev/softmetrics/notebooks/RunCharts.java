package dev.softmetrics.notebooks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of any one output folder ({@link DemoTables#openOutput}): the headline figure per
 * domain with its bootstrap interval, the paired comparisons, NLL by token position, and entropy
 * and KL by the value of an extra label (a training step, say). Each point is a figure of the
 * tables and each bar one of their intervals; axes fit the data (a difference of 0.1 bit per byte
 * stays visible) and are labelled in words; colours come from {@link Palette}.
 */
public final class RunCharts {
  private RunCharts() {}

  private static final int WIDTH = 760;
  private static final int HEIGHT = 400;

  private static final Map<String, String> WORDS =
      Map.of(
          "bits_per_byte", "bits per byte",
          "ppl_token", "token perplexity",
          "mean_nll", "mean NLL (nats per token)",
          "mean_entropy", "mean entropy (nats per token)");

  /**
   * The figure a reader compares rows by: token perplexity when every row of {@code corpus} has the
   * same tokenizer, else bits per byte (the one that compares across tokenizers).
   */
  public static String headline(DemoTables t) {
    return t.number("SELECT count(DISTINCT tokenizer) FROM corpus") == 1
        ? "ppl_token"
        : "bits_per_byte";
  }

  /**
   * The headline figure of each (model, tokenizer) per domain ({@code __all__} last), a vertical
   * bar from {@code <figure>_ci_low} to {@code <figure>_ci_high} where the row has an interval.
   */
  public static XYChart intervals(DemoTables t) {
    String figure = headline(t);
    List<String> domains =
        t.strings("SELECT DISTINCT domain FROM corpus ORDER BY domain = '__all__', domain");
    XYChart chart =
        byDomain(
            t.strings("SELECT run_id FROM runs ORDER BY ended_at DESC LIMIT 1").stream()
                    .findFirst()
                    .map(id -> "run " + id + ": ")
                    .orElse("")
                + WORDS.get(figure)
                + " per domain, with "
                + confidence(t, "corpus")
                + "bootstrap intervals",
            WORDS.get(figure),
            domains,
            WIDTH);
    List<List<Object>> groups =
        t.rows("SELECT DISTINCT model, tokenizer FROM corpus ORDER BY model, tokenizer");
    for (int g = 0; g < groups.size(); g++) {
      String model = (String) groups.get(g).get(0);
      String tokenizer = (String) groups.get(g).get(1);
      List<List<Object>> rows =
          t.rows(
              String.format(
                  "SELECT domain, %1$s, %1$s_ci_low, %1$s_ci_high FROM corpus WHERE model = %2$s"
                      + " AND tokenizer = %3$s",
                  figure, quoted(model), quoted(tokenizer)));
      double offset = offset(g, groups.size());
      points(chart, model + " / " + tokenizer, rows, domains, offset, Palette.colour(model))
          .setMarker(Palette.marker(tokenizer));
    }
    return chart;
  }

  /**
   * Each pair of {@code comparisons}: model b minus model a in bits per byte per domain, with the
   * paired-bootstrap interval; below the dashed line at 0, b is the better model.
   */
  public static XYChart comparisons(DemoTables t) {
    List<String> domains =
        t.strings("SELECT DISTINCT domain FROM comparisons ORDER BY domain = '__all__', domain");
    XYChart chart =
        byDomain(
            "b minus a in bits per byte, with "
                + confidence(t, "comparisons")
                + "paired intervals (below 0: b is better)",
            "difference in bits per byte (b minus a)",
            domains,
            WIDTH + 240);
    List<List<Object>> pairs =
        t.rows(
            "SELECT DISTINCT model_a, tokenizer_a, model_b, tokenizer_b FROM comparisons"
                + " ORDER BY ALL");
    for (int p = 0; p < pairs.size(); p++) {
      List<Object> pair = pairs.get(p);
      List<List<Object>> rows =
          t.rows(
              String.format(
                  "SELECT domain, bits_per_byte_diff, bits_per_byte_diff_ci_low,"
                      + " bits_per_byte_diff_ci_high FROM comparisons WHERE model_a = %s AND"
                      + " tokenizer_a = %s AND model_b = %s AND tokenizer_b = %s",
                  quoted(pair.get(0)),
                  quoted(pair.get(1)),
                  quoted(pair.get(2)),
                  quoted(pair.get(3))));
      String name =
          String.format(
              "%s / %s minus %s / %s", pair.get(2), pair.get(3), pair.get(0), pair.get(1));
      points(
              chart,
              name,
              rows,
              domains,
              offset(p, pairs.size()),
              Palette.colour((String) pair.get(2)))
          .setMarker(Palette.marker((String) pair.get(3)));
    }
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    XYSeries zero =
        chart.addSeries(
            "no difference", new double[] {-0.5, domains.size() - 0.5}, new double[] {0, 0});
    zero.setMarker(SeriesMarkers.NONE);
    zero.setLineColor(Color.GRAY);
    zero.setLineStyle(
        new BasicStroke(
            1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f}, 0f));
    return chart;
  }

  /**
   * Mean NLL by token position over all domains, one line per (model, tokenizer): a point per
   * position bucket of {@code positions}, at the middle of its positions (1-based, log scale); null
   * when the output has no {@code positions/}.
   */
  public static XYChart positions(DemoTables t) {
    if (!t.has("positions")) {
      return null;
    }
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("mean NLL by token position, all domains")
            .xAxisTitle("token position (1 = first scored token; log scale)")
            .yAxisTitle(WORDS.get("mean_nll"))
            .build();
    style(chart);
    chart.getStyler().setXAxisLogarithmic(true);
    for (List<Object> group :
        t.rows("SELECT DISTINCT model, tokenizer FROM positions ORDER BY model, tokenizer")) {
      String where =
          String.format(
              " FROM positions WHERE domain = '__all__' AND model = %s AND tokenizer = %s"
                  + " ORDER BY position_bucket",
              quoted(group.get(0)), quoted(group.get(1)));
      XYSeries line =
          chart.addSeries(
              group.get(0) + " / " + group.get(1),
              t.doubles("SELECT (first_position + last_position) / 2.0 + 1" + where),
              t.doubles("SELECT mean_nll" + where));
      line.setLineColor(Palette.colour((String) group.get(0)));
      line.setMarkerColor(Palette.colour((String) group.get(0)));
      line.setMarker(Palette.marker((String) group.get(1)));
    }
    return chart;
  }

  /**
   * Mean entropy and KL from the reference (kl_reverse from logits, else the k3 estimate from
   * ref_logprobs, as the printed summary shows it) over all domains against the value of {@code
   * label}, an extra label column of {@code corpus} with numeric values (a training step).
   *
   * @throws IllegalArgumentException if {@code corpus} has no such column
   */
  public static List<XYChart> byLabel(DemoTables t, String label) {
    List<String> columns =
        t.strings("SELECT column_name FROM information_schema.columns WHERE table_name = 'corpus'");
    if (!columns.contains(label)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid label: %s (must be an extra label column of corpus/: labels.extra of the"
                  + " run; corpus/ has %s)",
              label, String.join(", ", columns)));
    }
    List<XYChart> charts = new ArrayList<>();
    charts.add(byLabel(t, label, "mean_entropy", WORDS.get("mean_entropy")));
    if (columns.contains("kl_reverse") || columns.contains("kl_k3")) {
      String kl =
          columns.contains("kl_reverse") && columns.contains("kl_k3")
              ? "coalesce(kl_reverse, kl_k3)"
              : columns.contains("kl_reverse") ? "kl_reverse" : "kl_k3";
      charts.add(byLabel(t, label, kl, "KL from the reference (nats per token)"));
    }
    return charts;
  }

  private static XYChart byLabel(DemoTables t, String label, String figure, String words) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(words.replaceAll(" \\(.*", "") + " by " + label + ", all domains")
            .xAxisTitle(label)
            .yAxisTitle(words)
            .build();
    style(chart);
    for (List<Object> group :
        t.rows("SELECT DISTINCT model, tokenizer FROM corpus ORDER BY model, tokenizer")) {
      String where =
          String.format(
              " FROM corpus WHERE domain = '__all__' AND model = %s AND tokenizer = %s"
                  + " AND %s IS NOT NULL ORDER BY TRY_CAST(\"%s\" AS DOUBLE)",
              quoted(group.get(0)), quoted(group.get(1)), figure, label);
      double[] x = t.doubles("SELECT TRY_CAST(\"" + label + "\" AS DOUBLE)" + where);
      if (x.length == 0) {
        continue;
      }
      XYSeries line =
          chart.addSeries(
              group.get(0) + " / " + group.get(1), x, t.doubles("SELECT " + figure + where));
      line.setLineColor(Palette.colour((String) group.get(0)));
      line.setMarkerColor(Palette.colour((String) group.get(0)));
      line.setMarker(Palette.marker((String) group.get(1)));
    }
    return chart;
  }

  /**
   * A chart with the domains along its x axis, in order, their names in the axis title (XChart 3.8
   * draws no tick labels here: it drops them when they do not fit its own tick spacing).
   */
  private static XYChart byDomain(String title, String yTitle, List<String> domains, int width) {
    XYChart chart =
        new XYChartBuilder()
            .width(width)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("domain, left to right: " + String.join(", ", domains))
            .yAxisTitle(yTitle)
            .build();
    style(chart);
    chart.getStyler().setXAxisMin(-0.5).setXAxisMax(domains.size() - 0.5);
    chart.getStyler().setXAxisTicksVisible(false);
    return chart;
  }

  private static void style(XYChart chart) {
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
  }

  /**
   * A scatter series of {@code rows} (domain, value, low, high) at their domains' places plus
   * {@code offset}, and one vertical bar per interval, in the series' colour and out of the legend.
   */
  private static XYSeries points(
      XYChart chart,
      String name,
      List<List<Object>> rows,
      List<String> domains,
      double offset,
      Color colour) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (List<Object> row : rows) {
      int at = domains.indexOf((String) row.get(0));
      if (at < 0 || row.get(1) == null) {
        continue;
      }
      double x = at + offset;
      xs.add(x);
      ys.add(((Number) row.get(1)).doubleValue());
      if (row.get(2) != null && row.get(3) != null) {
        XYSeries bar =
            chart.addSeries(
                name + " interval " + row.get(0),
                new double[] {x, x},
                new double[] {
                  ((Number) row.get(2)).doubleValue(), ((Number) row.get(3)).doubleValue()
                });
        bar.setMarker(SeriesMarkers.NONE);
        bar.setLineColor(colour);
        bar.setLineStyle(new BasicStroke(2f));
        bar.setShowInLegend(false);
      }
    }
    XYSeries series = chart.addSeries(name, xs, ys);
    series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    series.setMarkerColor(colour);
    return series;
  }

  /**
   * Where the g-th of n series sits around its domain's tick, so that their bars do not overlap.
   */
  private static double offset(int g, int n) {
    return n <= 1 ? 0 : (g - (n - 1) / 2.0) * Math.min(0.15, 0.7 / n);
  }

  /** "95% ", from the confidence column of the table ("" when it has none). */
  private static String confidence(DemoTables t, String table) {
    double[] c = t.doubles("SELECT max(ci_confidence) FROM " + table);
    return c.length == 0 || Double.isNaN(c[0])
        ? ""
        : String.format(Locale.ROOT, "%.0f%% ", c[0] * 100);
  }

  private static String quoted(Object value) {
    return "'" + String.valueOf(value).replace("'", "''") + "'";
  }
}
