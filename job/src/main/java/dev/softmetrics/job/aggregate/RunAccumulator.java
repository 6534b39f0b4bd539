package dev.softmetrics.job.aggregate;

import org.apache.spark.util.AccumulatorV2;

/**
 * Brings each task's {@link RunTotals} to the driver. Each task adds its totals once, when its
 * partition is done; Spark merges the updates of a successful task of a result stage once per
 * partition, so retried and speculative tasks are not counted twice.
 */
public final class RunAccumulator extends AccumulatorV2<RunTotals, RunTotals> {
  private static final long serialVersionUID = 1L;

  private RunTotals totals = new RunTotals();

  @Override
  public boolean isZero() {
    return totals.isEmpty();
  }

  @Override
  public AccumulatorV2<RunTotals, RunTotals> copy() {
    RunAccumulator copy = new RunAccumulator();
    copy.totals = totals.copy();
    return copy;
  }

  @Override
  public void reset() {
    totals = new RunTotals();
  }

  @Override
  public void add(RunTotals v) {
    totals.merge(v);
  }

  @Override
  public void merge(AccumulatorV2<RunTotals, RunTotals> other) {
    totals.merge(other.value());
  }

  @Override
  public RunTotals value() {
    return totals;
  }
}
