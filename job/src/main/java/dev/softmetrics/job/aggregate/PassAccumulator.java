package dev.softmetrics.job.aggregate;

import org.apache.spark.util.AccumulatorV2;

/**
 * Brings each task's {@link PassTotals} to the driver. Each task adds its totals once, when its
 * partition is done; Spark merges the updates of a successful task of a result stage once per
 * partition, so retried and speculative tasks are not counted twice.
 */
public final class PassAccumulator extends AccumulatorV2<PassTotals, PassTotals> {
  private static final long serialVersionUID = 1L;

  private PassTotals totals = new PassTotals();

  @Override
  public boolean isZero() {
    return totals.isEmpty();
  }

  @Override
  public AccumulatorV2<PassTotals, PassTotals> copy() {
    PassAccumulator copy = new PassAccumulator();
    copy.totals = totals.copy();
    return copy;
  }

  @Override
  public void reset() {
    totals = new PassTotals();
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
