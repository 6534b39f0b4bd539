package dev.softmetrics.job.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.AccumulatorV2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Plain progress lines for long runs: once a run has lasted {@code after}, one line every {@code
 * interval} with the running stage, its tasks done of total, the input's rows and bytes read so
 * far, elapsed time and an ETA. Lines, not a carriage-return bar, so logs stay readable.
 *
 * <p>Rows and bytes are those of the input scan only: the latest job described as {@link
 * #INPUT_SCAN}, whose input {@link #describeInput} announced. Other jobs read the input again (the
 * duplicate search, {@code rejected/}) or read the output (the bootstrap): counting them too
 * overstated the rows read. Rows are the scan's own record counts, from finished tasks and, through
 * the executors' heartbeats, from running ones, so the count moves during a task. Bytes are the
 * input's bytes in proportion to its rows read: the Hadoop byte counters behind Spark's task
 * metrics do not see Parquet's vectored reads (done off the task's thread) and counted kilobytes
 * for megabytes.
 */
public final class ProgressReporter extends SparkListener implements AutoCloseable {
  /** The description of the job whose reads are the input's rows and bytes. */
  public static final String INPUT_SCAN = "score and write sequences/";

  private static final String INPUT_ROWS = "softmetrics.input.rows";
  private static final String INPUT_BYTES = "softmetrics.input.bytes";
  private static final String INPUT_PASS = "softmetrics.input.pass";
  private static final AtomicLong PASSES = new AtomicLong();
  private static final String RECORDS_READ = "internal.metrics.input.recordsRead";

  private final SparkContext context;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;
  private final ConcurrentHashMap<Integer, Stage> stages = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, String> descriptions = new ConcurrentHashMap<>();
  private volatile InputScan scan;

  /**
   * One pass over the input: the stages of its jobs (a query may run several, one after the other),
   * its input's size, its rows read so far.
   */
  private static final class InputScan {
    final String pass;
    final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    // Heartbeats name no internal metric: their rows-read accumulators are known by id.
    final Set<Long> recordsReadIds = ConcurrentHashMap.newKeySet();
    final long rows;
    final long bytes;
    final AtomicLong finishedRows = new AtomicLong();
    final ConcurrentHashMap<Long, Long> runningRows = new ConcurrentHashMap<>();
    final Set<Long> finished = ConcurrentHashMap.newKeySet();

    InputScan(String pass, long rows, long bytes) {
      this.pass = pass;
      this.rows = rows;
      this.bytes = bytes;
    }

    long rowsRead() {
      return finishedRows.get() + runningRows.values().stream().mapToLong(Long::longValue).sum();
    }
  }

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

  /**
   * Announces the input's rows and bytes to the reporter (through the jobs' local properties), for
   * the next job described as {@link #INPUT_SCAN}; null clears them.
   */
  public static void describeInput(SparkContext context, Long rows, Long bytes) {
    context.setLocalProperty(INPUT_ROWS, rows == null ? null : rows.toString());
    context.setLocalProperty(INPUT_BYTES, bytes == null ? null : bytes.toString());
    context.setLocalProperty(
        INPUT_PASS, rows == null ? null : String.valueOf(PASSES.incrementAndGet()));
  }

  @Override
  public void onJobStart(SparkListenerJobStart event) {
    Properties properties = event.properties();
    String description =
        properties == null ? null : properties.getProperty("spark.job.description");
    if (description == null) {
      return;
    }
    Set<Integer> stageIds = new HashSet<>();
    for (Object stageId : CollectionConverters.asJava(event.stageIds())) {
      descriptions.put((Integer) stageId, description);
      stageIds.add((Integer) stageId);
    }
    String pass = properties.getProperty(INPUT_PASS);
    if (description.equals(INPUT_SCAN) && pass != null) {
      // A new pass over the input (a run scores again after finding duplicates) starts at 0.
      if (scan == null || !scan.pass.equals(pass)) {
        scan =
            new InputScan(
                pass,
                Long.parseLong(properties.getProperty(INPUT_ROWS)),
                Long.parseLong(properties.getProperty(INPUT_BYTES)));
      }
      scan.stages.addAll(stageIds);
    }
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    var info = event.stageInfo();
    String name = descriptions.getOrDefault(info.stageId(), info.name());
    stages.put(info.stageId(), new Stage(name, info.numTasks()));
    InputScan current = scan;
    if (current != null && current.stages.contains(info.stageId()) && info.taskMetrics() != null) {
      // The stage's tasks carry copies of these accumulators, with the same ids.
      for (AccumulatorV2<?, ?> metric :
          CollectionConverters.asJava(info.taskMetrics().accumulators())) {
        if (RECORDS_READ.equals(metric.name().getOrElse(() -> null))) {
          current.recordsReadIds.add(metric.id());
        }
      }
    }
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
    InputScan current = scan;
    if (current == null || !current.stages.contains(event.stageId())) {
      return;
    }
    long taskId = event.taskInfo().taskId();
    current.finished.add(taskId);
    current.runningRows.remove(taskId);
    TaskMetrics metrics = event.taskMetrics();
    // A failed task's rows are read again by its retry.
    if (metrics != null && event.taskInfo().successful()) {
      current.finishedRows.addAndGet(metrics.inputMetrics().recordsRead());
    }
  }

  /** Running tasks' rows read so far, from the executors' heartbeats. */
  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate event) {
    InputScan current = scan;
    if (current == null) {
      return;
    }
    for (var update : CollectionConverters.asJava(event.accumUpdates())) {
      long taskId = (Long) update._1();
      if (!current.stages.contains((Integer) update._2()) || current.finished.contains(taskId)) {
        continue;
      }
      for (AccumulableInfo info : CollectionConverters.asJava(update._4())) {
        if (current.recordsReadIds.contains(info.id()) && info.update().isDefined()) {
          current.runningRows.put(taskId, ((Number) info.update().get()).longValue());
        }
      }
    }
  }

  /** The current progress line. */
  String line() {
    long now = System.nanoTime();
    StringBuilder line = new StringBuilder("progress:");
    if (stages.isEmpty()) {
      line.append(" between stages;");
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
    InputScan current = scan;
    if (current != null) {
      long rows = current.rowsRead();
      long bytes =
          current.rows == 0 ? 0 : Math.round(current.bytes * (rows / (double) current.rows));
      line.append(
          String.format(
              Locale.ROOT,
              " rows read %,d of %,d, bytes read %s of %s,",
              rows,
              current.rows,
              bytes(bytes),
              bytes(current.bytes)));
    }
    line.append(" elapsed ").append(seconds(now - startNanos));
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
