package dev.softmetrics.job.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Plain progress lines for long runs: once a run has lasted {@code after}, one line every {@code
 * interval} with the running stage, its tasks done of total, rows and bytes read so far, elapsed
 * time and an ETA. Lines, not a carriage-return bar, so logs stay readable.
 */
public final class ProgressReporter extends SparkListener implements AutoCloseable {
  private final SparkContext context;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;
  private final ConcurrentHashMap<Integer, Stage> stages = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, String> descriptions = new ConcurrentHashMap<>();
  private final AtomicLong rowsRead = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();

  private static final class Stage {
    final String name;
    final int tasks;
    final long startNanos = System.nanoTime();
    final AtomicLong done = new AtomicLong();

    Stage(String name, int tasks) {
      this.name = name;
      this.tasks = tasks;
    }
  }

  private ProgressReporter(SparkContext context, PrintStream out) {
    this.context = context;
    this.out = out;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "softmetrics-progress");
              t.setDaemon(true);
              return t;
            });
  }

  /** Registers a reporter on the context; close it to stop the lines and unregister. */
  public static ProgressReporter start(
      SparkContext context, PrintStream out, Duration after, Duration interval) {
    ProgressReporter reporter = new ProgressReporter(context, out);
    context.addSparkListener(reporter);
    reporter.timer.scheduleAtFixedRate(
        reporter::report, after.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return reporter;
  }

  @Override
  public void onJobStart(SparkListenerJobStart event) {
    String description =
        event.properties() == null ? null : event.properties().getProperty("spark.job.description");
    if (description != null) {
      for (Object stageId : CollectionConverters.asJava(event.stageIds())) {
        descriptions.put((Integer) stageId, description);
      }
    }
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    var info = event.stageInfo();
    String name = descriptions.getOrDefault(info.stageId(), info.name());
    stages.put(info.stageId(), new Stage(name, info.numTasks()));
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    stages.remove(event.stageInfo().stageId());
    descriptions.remove(event.stageInfo().stageId());
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    Stage stage = stages.get(event.stageId());
    if (stage != null && event.taskInfo().successful()) {
      stage.done.incrementAndGet();
    }
    TaskMetrics metrics = event.taskMetrics();
    if (metrics != null) {
      rowsRead.addAndGet(metrics.inputMetrics().recordsRead());
      bytesRead.addAndGet(metrics.inputMetrics().bytesRead());
    }
  }

  /** The current progress line. */
  String line() {
    long now = System.nanoTime();
    StringBuilder line = new StringBuilder("progress:");
    if (stages.isEmpty()) {
      line.append(" between stages");
    }
    stages.forEach(
        (id, stage) -> {
          long done = stage.done.get();
          line.append(
              String.format(
                  Locale.ROOT, " stage %d (%s) tasks %d/%d", id, stage.name, done, stage.tasks));
          if (done > 0 && done < stage.tasks) {
            double perTask = (now - stage.startNanos) / (double) done;
            line.append(", ETA ").append(seconds((long) (perTask * (stage.tasks - done))));
          }
          line.append(';');
        });
    line.append(
        String.format(
            Locale.ROOT,
            " rows read %,d, bytes read %s, elapsed %s",
            rowsRead.get(),
            bytes(bytesRead.get()),
            seconds(now - startNanos)));
    return line.toString();
  }

  private void report() {
    out.println(line());
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.0fs", nanos / 1e9);
  }

  private static String bytes(long bytes) {
    if (bytes < 1 << 20) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1L << 30) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    context.removeSparkListener(this);
  }
}
