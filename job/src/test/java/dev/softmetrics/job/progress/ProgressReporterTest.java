package dev.softmetrics.job.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.LocalSparkTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

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
                        + " rows read [\\d,]+, bytes read .+, elapsed \\d+s"));
  }

  @Test
  void aShortJobPrintsNothing() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    try (ProgressReporter progress =
        ProgressReporter.start(
            spark.sparkContext(), out, Duration.ofSeconds(30), Duration.ofSeconds(5))) {
      assertThat(spark.range(10).count()).isEqualTo(10);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
