package dev.softmetrics.job.score;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.output.RunId;
import java.util.List;

/**
 * What to score and where to write it.
 *
 * @param inputs files, folders, globs or Hadoop URIs of Parquet shards
 * @param output the output folder (any Hadoop URI)
 * @param runId the run's id in every table ({@link RunId}'s rules)
 * @param config the effective configuration
 */
public record ScoreRequest(List<String> inputs, String output, String runId, JobConfig config) {
  public ScoreRequest {
    inputs = List.copyOf(inputs);
    requirePaths(inputs, output);
    RunId.check(runId);
  }

  /**
   * Refuses no input, an empty input (as {@code --input a/,,b/} gives) and an empty output, before
   * any of them is resolved as a path.
   */
  public static void requirePaths(List<String> inputs, String output) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("Invalid --input: none given (must name at least one)");
    }
    if (inputs.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException(
          "Invalid --input: empty (must name a file, folder, glob or URI)");
    }
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException("Invalid --output: empty (must name a folder)");
    }
  }
}
