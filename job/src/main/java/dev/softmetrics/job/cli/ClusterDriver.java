package dev.softmetrics.job.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a driver started by {@code bin/softmetrics score --master URL} needs on a cluster, which
 * spark-submit would otherwise supply: the job jar on the executors' class path ({@code
 * spark.jars}) and, for a master on this machine's loopback address, a driver that listens there
 * too. A setting the configuration already holds is left as it is. (The Java 17 flags, the Vector
 * API module among them, Spark 4.1 adds to every executor itself.)
 */
final class ClusterDriver {
  private ClusterDriver() {}

  /** The settings for this JVM, which loaded the job from {@link #jobJar()}. */
  static Map<String, String> settings(String master, Map<String, String> given) {
    return settings(master, given, jobJar());
  }

  /**
   * The settings to add for {@code master}; none for an embedded master ({@code local}, {@code
   * local[N]}, or none).
   *
   * @throws IllegalArgumentException if the executors need the job jar and there is none
   */
  static Map<String, String> settings(
      String master, Map<String, String> given, Optional<Path> jobJar) {
    Map<String, String> settings = new LinkedHashMap<>();
    if (master == null || master.equals("local") || master.startsWith("local[")) {
      return settings;
    }
    if (!given.containsKey("spark.jars")) {
      Path jar =
          jobJar.orElseThrow(
              () ->
                  new IllegalArgumentException(
                      String.format(
                          "Cannot run on master %s: the job's classes are not in a jar that"
                              + " executors can load (run bin/softmetrics, which builds"
                              + " job/target/softmetrics-job.jar, or set spark.jars)",
                          master)));
      settings.put("spark.jars", jar.toString());
    }
    if (onLoopback(master) && !given.containsKey("spark.driver.host")) {
      settings.put("spark.driver.host", "127.0.0.1");
    }
    return settings;
  }

  /** True for a standalone master whose every host is a loopback address. */
  static boolean onLoopback(String master) {
    if (!master.startsWith("spark://")) {
      return false;
    }
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      String host = hostPort.replaceFirst(":\\d+$", "");
      if (!host.equals("localhost") && !host.startsWith("127.")) {
        return false;
      }
    }
    return true;
  }

  /** The jar this JVM loaded the job from, if it loaded it from a jar. */
  private static Optional<Path> jobJar() {
    CodeSource source = ClusterDriver.class.getProtectionDomain().getCodeSource();
    if (source == null) {
      return Optional.empty();
    }
    try {
      Path path = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(path) && path.toString().endsWith(".jar")
          ? Optional.of(path)
          : Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }
}
