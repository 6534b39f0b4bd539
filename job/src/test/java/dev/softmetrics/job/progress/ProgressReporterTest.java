package dev.softmetrics.job.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.LocalSparkTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.spark.Success$;
import org.apache.spark.TaskState;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.scheduler.TaskLocality;
import org.apache.spark.scheduler.TaskLocation;
import org.apache.spark.storage.RDDInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

class ProgressReporterTest extends LocalSparkTest {

  @Test
  void aLongJobPrintsPlainLinesWithStageTasksRowsAndElapsed() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    JavaSparkContext context = new JavaSparkContext(spark.sparkContext());
    try (ProgressReporter progress =
        ProgressReporter.start(
            spark.sparkContext(), out, Duration.ofMillis(200), Duration.ofMillis(100))) {
      spark.sparkContext().setJobDescription("slow test job");
      long sum =
          context
              .parallelize(List.of(1, 2, 3, 4), 4)
              .map(
                  x -> {
                    Thread.sleep(400);
                    return x;
                  })
              .reduce(Integer::sum);
      assertThat(sum).isEqualTo(10);
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
    String printed = buffer.toString(StandardCharsets.UTF_8);

    assertThat(printed).doesNotContain("\r");
    assertThat(printed.lines())
        .isNotEmpty()
        .allMatch(line -> line.startsWith("progress: "))
        .anyMatch(
            line ->
                line.matches(
                    "progress: stage \\d+ \\(slow test job\\) tasks [0-4]/4(, ETA \\d+s)?;"
                        + " elapsed \\d+s"));
  }

  @Test
  void aShortJobPrintsNothing() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    try (ProgressReporter progress =
        ProgressReporter.start(
            spark.sparkContext(), out, Duration.ofMinutes(10), Duration.ofSeconds(5))) {
      assertThat(spark.range(10).count()).isEqualTo(10);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void rowsAndBytesAreThoseOfTheInputReadByTheScoringJob(@TempDir Path tmp) throws Exception {
    String input = tmp.resolve("in").toString();
    spark
        .range(0, 20_000, 1, 2)
        .selectExpr("id", "sha2(cast(id as string), 512) as text")
        .write()
        .parquet(input);
    long inputBytes;
    try (Stream<Path> files = Files.list(Path.of(input))) {
      inputBytes =
          files
              .filter(f -> f.toString().endsWith(".parquet"))
              .mapToLong(f -> f.toFile().length())
              .sum();
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    ProgressReporter progress =
        ProgressReporter.start(spark.sparkContext(), out, Duration.ofHours(1), Duration.ofHours(1));
    try {
      // Another job reads the input too (as the duplicate search and rejected/ do): not counted.
      spark.sparkContext().setJobDescription("another look at the input");
      assertThat(spark.read().parquet(input).where("id % 2 = 0").count()).isEqualTo(10_000);
      spark.sparkContext().setJobDescription(ProgressReporter.INPUT_SCAN);
      ProgressReporter.describeInput(spark.sparkContext(), 20_000L, inputBytes);
      assertThat(spark.read().parquet(input).selectExpr("sum(length(text))").first().getLong(0))
          .isEqualTo(20_000 * 128);
    } finally {
      spark.sparkContext().setJobDescription(null);
      ProgressReporter.describeInput(spark.sparkContext(), null, null);
    }
    spark.sparkContext().listenerBus().waitUntilEmpty();
    String line = progress.line();
    progress.close();

    String size = String.format(Locale.ROOT, "%.1f MiB", inputBytes / (double) (1 << 20));
    assertThat(line).contains("rows read 20,000 of 20,000, bytes read " + size + " of " + size);
  }

  @Test
  void runningTasksRowsCountFromHeartbeatsUntilTheTaskEnds() {
    ProgressReporter progress =
        ProgressReporter.start(
            spark.sparkContext(), System.err, Duration.ofHours(1), Duration.ofHours(1));
    progress.close();
    Properties scan = new Properties();
    scan.setProperty("spark.job.description", ProgressReporter.INPUT_SCAN);
    scan.setProperty("softmetrics.input.rows", "1000");
    scan.setProperty("softmetrics.input.bytes", String.valueOf(8L << 20));
    scan.setProperty("softmetrics.input.pass", "test");
    // The stage's metrics, as the scheduler registers them; heartbeats name them by id only.
    TaskMetrics stageMetrics = TaskMetrics.registered();
    long recordsRead =
        CollectionConverters.asJava(stageMetrics.accumulators()).stream()
            .filter(a -> a.name().get().equals("internal.metrics.input.recordsRead"))
            .findFirst()
            .orElseThrow()
            .id();
    progress.onJobStart(new SparkListenerJobStart(7, 0L, seq(stage(11, stageMetrics)), scan));
    progress.onStageSubmitted(new SparkListenerStageSubmitted(stage(11, stageMetrics), scan));

    progress.onExecutorMetricsUpdate(heartbeat(100L, 11, recordsRead, 300));
    progress.onExecutorMetricsUpdate(heartbeat(100L, 11, recordsRead + 1, 7)); // another metric
    progress.onExecutorMetricsUpdate(heartbeat(101L, 12, recordsRead, 999)); // not the scan's
    // 300 of 1,000 rows: 0.3 x 8 MiB.
    assertThat(progress.line()).contains(" rows read 300 of 1,000, bytes read 2.4 MiB of 8.0 MiB,");

    progress.onTaskEnd(taskEnd(100L, 11, 500));
    progress.onExecutorMetricsUpdate(heartbeat(100L, 11, recordsRead, 300)); // late: task ended
    assertThat(progress.line()).contains(" rows read 500 of 1,000, bytes read 4.0 MiB of 8.0 MiB,");
  }

  private static <T> scala.collection.immutable.List<T> seq(T element) {
    return CollectionConverters.asScala(List.of(element)).toList();
  }

  private static StageInfo stage(int id, TaskMetrics metrics) {
    return new StageInfo(
        id,
        0,
        "scan",
        2,
        CollectionConverters.asScala(List.<RDDInfo>of()).toList(),
        CollectionConverters.asScala(List.<Object>of()).toList(),
        "",
        metrics,
        CollectionConverters.asScala(List.<scala.collection.immutable.Seq<TaskLocation>>of())
            .toList(),
        Option.empty(),
        0,
        false,
        0);
  }

  /** A heartbeat's update of one metric of a running task: as Spark sends it, without a name. */
  private static SparkListenerExecutorMetricsUpdate heartbeat(
      long task, int stage, long metric, long rows) {
    AccumulableInfo recordsRead =
        new AccumulableInfo(
            metric,
            Option.empty(),
            Option.apply(rows),
            Option.apply(rows),
            true,
            false,
            Option.empty());
    return new SparkListenerExecutorMetricsUpdate(
        "driver",
        seq(
            new Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>>(
                task, stage, 0, seq(recordsRead))),
        scala.collection.immutable.Map$.MODULE$.empty());
  }

  private static SparkListenerTaskEnd taskEnd(long task, int stage, long rows) {
    TaskInfo info =
        new TaskInfo(task, 0, 0, 0L, "driver", "localhost", TaskLocality.PROCESS_LOCAL(), false);
    info.markFinished(TaskState.FINISHED(), 1L);
    TaskMetrics metrics = TaskMetrics.empty();
    metrics.inputMetrics().incRecordsRead(rows);
    return new SparkListenerTaskEnd(stage, 0, "ResultTask", Success$.MODULE$, info, null, metrics);
  }
}
