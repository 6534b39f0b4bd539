package dev.softmetrics.demo;

import dev.softmetrics.job.SoftMetrics;

/**
 * The entry point of {@code bin/softmetrics demo} (and of its usage and unknown commands): the
 * job's command line with {@code demo} added, run with the same error handling. The job jar, which
 * spark-submit takes, has no {@code demo}; this module has it with its tokenizers and text.
 */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line as {@link SoftMetrics#execute(String...)} does, {@code demo} included. */
  public static int execute(String... args) {
    return SoftMetrics.execute(SoftMetrics.commandLine(new DemoCommand()), args);
  }
}
