package dev.softmetrics.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line of {@code bin/softmetrics demo}: the job's commands with {@code demo}. */
class DemoMainTest {

  @Test
  void helpExitsZeroAndListsTheJobsCommandsAndDemo() {
    PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      status = DemoMain.execute("--help");
    } finally {
      System.setOut(stdout);
    }

    assertThat(status).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("score").contains("demo");
  }
}
