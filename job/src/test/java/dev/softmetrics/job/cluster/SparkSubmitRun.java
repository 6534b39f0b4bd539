package dev.softmetrics.job.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code spark-submit}: a child JVM running {@code org.apache.spark.deploy.SparkSubmit} with
 * only Spark's jars on its class path (the job must bring the rest in its own jar), as {@code
 * bin/spark-submit} would start it.
 *
 * @param exitCode the JVM's exit status
 * @param stdout what it printed on stdout
 * @param stderr what it printed on stderr (Spark's log)
 */
public record SparkSubmitRun(int exitCode, String stdout, String stderr) {
  private static final Pattern APP_ID = Pattern.compile("app ID (app-[0-9]+-[0-9]+)");

  /**
   * Runs spark-submit with {@code args} in {@code environment}, its output kept under {@code dir}
   * as {@code NAME.out} and {@code NAME.err}; a run that outlives {@code timeoutSeconds} is
   * destroyed, with what it started.
   */
  public static SparkSubmitRun run(
      Path dir,
      String name,
      String sparkClasspath,
      Map<String, String> environment,
      List<String> args,
      long timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(StandaloneCluster.java());
    command.addAll(StandaloneCluster.java17Options());
    command.add("-Xmx1g");
    command.addAll(List.of("-cp", sparkClasspath.trim(), "org.apache.spark.deploy.SparkSubmit"));
    command.addAll(args);
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    try {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "spark-submit "
                + name
                + " still running after "
                + timeoutSeconds
                + " s; stderr:\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    return new SparkSubmitRun(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** The application id that the driver's log reports (client mode). */
  public String appId() {
    return appId(stderr);
  }

  /** The application id in a driver's log. */
  public static String appId(String driverLog) {
    Matcher m = APP_ID.matcher(driverLog);
    if (!m.find()) {
      throw new IllegalStateException("No application id in the driver's log:\n" + driverLog);
    }
    return m.group(1);
  }
}
