package dev.softmetrics.job.cli;

import dev.softmetrics.job.config.NearestName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command line that does not parse: one line on stderr that names the mistake, the nearest option
 * or command when one is close, and where the usage is. The full usage is for {@code --help}.
 */
public final class UsageErrors {
  private UsageErrors() {}

  /** Prints the line and returns the exit status of a usage error. */
  public static int report(ParameterException error) {
    CommandLine command = error.getCommandLine();
    System.err.printf(
        "softmetrics: error: %s (%ssee %s --help)%n",
        problem(error, command),
        suggestion(error, command).map(near -> "did you mean " + near + "? ").orElse(""),
        command.getCommandSpec().qualifiedName());
    return Failures.BAD_INPUT;
  }

  private static String problem(ParameterException error, CommandLine command) {
    String unknown = firstUnmatched(error, command);
    if (unknown != null) {
      return String.format("Unknown %s: '%s'", kind(unknown, command), name(unknown));
    }
    String message = error.getMessage() == null ? "Invalid command line" : error.getMessage();
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  private static Optional<String> suggestion(ParameterException error, CommandLine command) {
    String unknown = firstUnmatched(error, command);
    if (unknown == null) {
      return Optional.empty();
    }
    Collection<String> known =
        unknown.startsWith("-") ? optionNames(command) : command.getSubcommands().keySet();
    return NearestName.of(name(unknown), known);
  }

  /**
   * The first argument that matched nothing. Picocli reports a missing required option before an
   * unknown one, but the unknown one is the mistake to show ({@code --inptu} for {@code --input}).
   */
  private static String firstUnmatched(ParameterException error, CommandLine command) {
    List<String> unmatched =
        error instanceof UnmatchedArgumentException u
            ? u.getUnmatched()
            : command.getUnmatchedArguments();
    return unmatched == null || unmatched.isEmpty() ? null : unmatched.get(0);
  }

  private static String kind(String argument, CommandLine command) {
    if (argument.startsWith("-")) {
      return "option";
    }
    return command.getSubcommands().isEmpty() ? "argument" : "command";
  }

  /** An option as typed, without an attached value ({@code --inptu=x} is {@code --inptu}). */
  private static String name(String argument) {
    int eq = argument.indexOf('=');
    return argument.startsWith("-") && eq > 0 ? argument.substring(0, eq) : argument;
  }

  private static List<String> optionNames(CommandLine command) {
    List<String> names = new ArrayList<>();
    for (OptionSpec option : command.getCommandSpec().options()) {
      names.addAll(List.of(option.names()));
    }
    return names;
  }
}
