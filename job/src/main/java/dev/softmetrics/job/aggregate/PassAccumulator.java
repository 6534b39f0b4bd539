package dev.softmetrics.job.aggregate;

import org.apache.spark.util.AccumulatorV2;

/**
 * Brings each task's {@link PassTotals} to the driver. Each task adds its totals once, when its
 * partition is done; Spark merges the updates of a successful task of a result stage once per
 * partition, so retried and speculative tasks are not counted twice.
 */
public final class PassAccumulator extends AccumulatorV2<PassTotals, PassTotals> {
  private static final long serialVersionUID = 1L;

  private final BootstrapDraw draw;
  private PassTotals totals;

  /** Totals without {@link GroupSample}s. */
  public PassAccumulator() {
    this(null);
  }

  /** Totals whose tasks also gather each group's {@link GroupSample} with {@code draw}. */
  public PassAccumulator(BootstrapDraw draw) {
    this.draw = draw;
    this.totals = new PassTotals(draw);
  }

  /** Empty totals for one task, gathering what this accumulator's totals gather. */
  public PassTotals newTaskTotals() {
    return new PassTotals(draw);
  }

  @Override
  public boolean isZero() {
    return totals.isEmpty();
  }

  @Override
  public AccumulatorV2<PassTotals, PassTotals> copy() {
    PassAccumulator copy = new PassAccumulator(draw);
    copy.totals = totals.copy();
    return copy;
  }

  @Override
  public void reset() {
    totals = new PassTotals(draw);
  }

  @Override
  public void add(PassTotals v) {
    totals.merge(v);
  }

  @Override
  public void merge(AccumulatorV2<PassTotals, PassTotals> other) {
    totals.merge(other.value());
  }

  @Override
  public PassTotals value() {
    return totals;
  }
}
