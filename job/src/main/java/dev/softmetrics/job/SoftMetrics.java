package dev.softmetrics.job;

import dev.softmetrics.job.cli.ConvertCommand;
import dev.softmetrics.job.cli.ScoreCommand;
import dev.softmetrics.job.cli.SqlCommand;
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
    description = "Soft metrics of language models over Parquet shards, on Spark.")
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
    return execute(args.length > 0 && args[0].equals("sql") ? sqlOnly() : commandLine(), args);
  }

  /**
   * The command line with {@code sql} alone: building the others reflects over classes whose
   * methods name Spark's, and picocli's set-up of each costs start-up that a one-second query
   * should not pay.
   */
  private static CommandLine sqlOnly() {
    return new CommandLine(new SoftMetrics()).addSubcommand(new SqlCommand());
  }

  /**
   * The job's commands: score, then {@code more} (the demo module adds {@code demo}, where the
   * usage has always listed it), then sql and convert.
   */
  public static CommandLine commandLine(Object... more) {
    CommandLine cli = new CommandLine(new SoftMetrics()).addSubcommand(new ScoreCommand());
    for (Object command : more) {
      cli.addSubcommand(command);
    }
    return cli.addSubcommand(new SqlCommand()).addSubcommand(new ConvertCommand());
  }

  /** Runs {@code args} on {@code cli} as {@link #execute(String...)} does on the job's commands. */
  public static int execute(CommandLine cli, String... args) {
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
