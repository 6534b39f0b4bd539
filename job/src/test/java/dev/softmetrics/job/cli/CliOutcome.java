package dev.softmetrics.job.cli;

import dev.softmetrics.job.SoftMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** What one {@link SoftMetrics#execute} call returned and printed, for the CLI tests. */
record CliOutcome(int status, String out, String err) {

  /**
   * Runs the command line in this JVM with stdout and stderr captured; echoes the call and its
   * stderr to the real stderr, for the test's log.
   */
  static CliOutcome of(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    int status;
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      status = SoftMetrics.execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    CliOutcome outcome =
        new CliOutcome(
            status,
            outBytes.toString(StandardCharsets.UTF_8),
            errBytes.toString(StandardCharsets.UTF_8));
    err.println("softmetrics " + Arrays.toString(args) + " -> " + status);
    err.print(outcome.err());
    return outcome;
  }

  /** Every line of stdout. */
  List<String> outLines() {
    return out.lines().toList();
  }

  /** The lines of stdout that are not blank. */
  List<String> nonBlankOutLines() {
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  /** The lines of stderr that are not blank. */
  List<String> nonBlankErrLines() {
    return err.lines().filter(l -> !l.isBlank()).toList();
  }

  /** The error lines on stderr ({@code softmetrics: error: ...}). */
  List<String> errorLines() {
    return err.lines().filter(l -> l.startsWith("softmetrics: error:")).toList();
  }
}
