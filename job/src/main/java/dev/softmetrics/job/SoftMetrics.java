package dev.softmetrics.job;

import dev.softmetrics.job.cli.DemoCommand;
import dev.softmetrics.job.cli.ScoreCommand;
import dev.softmetrics.job.config.Versions;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The entry point, for {@code bin/softmetrics} and for {@code spark-submit --class
 * dev.softmetrics.job.SoftMetrics}: parse the command, run it, exit 0 only when the run completed
 * and its output is committed.
 */
@Command(
    name = "softmetrics",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description = "Soft metrics of language models over Parquet shards, on Spark.",
    subcommands = {
      ScoreCommand.class,
      DemoCommand.class,
      dev.softmetrics.job.cli.SqlCommand.class,
      dev.softmetrics.job.cli.ConvertCommand.class
    })
public final class SoftMetrics {
  private SoftMetrics() {}

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs a command line and returns its exit status; errors become one line on stderr. Without
   * arguments, the usage goes to stderr (status 2); {@code --help} prints it on stdout.
   */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new SoftMetrics());
    if (args.length == 0) {
      cli.usage(System.err);
      return 2;
    }
    cli.setParameterExceptionHandler(
        (error, arguments) -> dev.softmetrics.job.cli.UsageErrors.report(error));
    cli.setExecutionExceptionHandler(
        (error, commandLine, parseResult) -> {
          System.err.println(dev.softmetrics.job.cli.Failures.line(error));
          return dev.softmetrics.job.cli.Failures.exitCode(error);
        });
    return cli.execute(args);
  }
}
