package dev.softmetrics.bench;

import java.util.Locale;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * With {@code --timeline}: each Spark job of a scoring run, with its start and end in ms from the
 * run's start, and the run's end: where a run's fixed cost goes.
 */
final class JobTimeline extends SparkListener {
  static volatile long runStart;

  /** Whether a timeline listener is registered: only then does {@link #end} print. */
  private static volatile boolean registered;

  JobTimeline() {
    registered = true;
  }

  private static double sinceStart() {
    return (System.nanoTime() - runStart) / 1e6;
  }

  static void end() {
    if (registered) {
      System.out.printf(Locale.ROOT, "  timeline: run ends at %.0f ms%n", sinceStart());
    }
    runStart = 0;
  }

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    if (runStart != 0) {
      System.out.printf(
          Locale.ROOT,
          "  timeline: job %d (%s) starts at %.0f ms%n",
          job.jobId(),
          job.properties() == null ? null : job.properties().getProperty("spark.job.description"),
          sinceStart());
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd job) {
    if (runStart != 0) {
      System.out.printf(
          Locale.ROOT, "  timeline: job %d ends at %.0f ms%n", job.jobId(), sinceStart());
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd task) {
    if (runStart != 0 && task.taskMetrics() != null) {
      System.out.printf(
          Locale.ROOT,
          "  timeline:   stage %d task %d: %d ms from launch, run %d ms, CPU %.0f ms, GC %d ms,"
              + " %.0f MB read%n",
          task.stageId(),
          task.taskInfo().index(),
          task.taskInfo().duration(),
          task.taskMetrics().executorRunTime(),
          task.taskMetrics().executorCpuTime() / 1e6,
          task.taskMetrics().jvmGCTime(),
          task.taskMetrics().inputMetrics().bytesRead() / 1e6);
    }
  }
}
