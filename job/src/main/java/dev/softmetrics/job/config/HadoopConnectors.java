package dev.softmetrics.job.config;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.util.VersionInfo;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The Hadoop file system behind a URI's scheme. Object stores need a connector that Spark does not
 * ship ({@code s3a://} needs hadoop-aws); without it Hadoop fails deep inside a run with a {@code
 * ClassNotFoundException}. Checked before a run reads or writes anything, it is one line naming the
 * library to add.
 */
public final class HadoopConnectors {
  private static final Pattern NO_FILE_SYSTEM =
      Pattern.compile("No FileSystem for scheme \"([^\"]+)\"");

  private HadoopConnectors() {}

  /**
   * Checks that Hadoop has a file system for the scheme of {@code uri}; a path without a scheme is
   * local and passes, and so does text that is not a path (what reads it says why).
   *
   * @param action what the run does with {@code uri}: {@code read} or {@code write}
   * @throws IllegalArgumentException naming {@code uri} and the library that provides its scheme
   */
  public static void require(String uri, String action, Configuration hadoop) {
    String scheme;
    try {
      scheme = new Path(uri).toUri().getScheme();
    } catch (IllegalArgumentException e) {
      return;
    }
    if (scheme == null) {
      return;
    }
    try {
      FileSystem.getFileSystemClass(scheme, hadoop);
    } catch (IOException | RuntimeException e) {
      // UnsupportedFileSystemException for an unknown scheme; a RuntimeException around a
      // ClassNotFoundException for a scheme Hadoop maps to a class that is not there (s3a).
      throw new IllegalArgumentException(
          String.format("Cannot %s %s: %s", action, uri, missing(scheme)), e);
    }
  }

  /**
   * Hadoop's configuration as Spark builds it: the class path's ({@code HADOOP_CONF_DIR}), then the
   * {@code spark.hadoop.*} settings spark-submit passed, then those of {@code settings}.
   */
  public static Configuration hadoopConfiguration(Map<String, String> settings) {
    Configuration hadoop = new Configuration();
    for (Tuple2<String, String> setting : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
      hadoop.set(setting._1(), setting._2());
    }
    settings.forEach(
        (key, value) -> {
          if (key.startsWith("spark.hadoop.")) {
            hadoop.set(key.substring("spark.hadoop.".length()), value);
          }
        });
    return hadoop;
  }

  /**
   * The scheme whose file system was missing when {@code error} happened, or null: for failures of
   * paths that were not checked beforehand.
   */
  public static String missingScheme(Throwable error) {
    for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof UnsupportedFileSystemException && t.getMessage() != null) {
        Matcher m = NO_FILE_SYSTEM.matcher(t.getMessage());
        if (m.find()) {
          return m.group(1);
        }
      }
      if (t instanceof ClassNotFoundException && t.getMessage() != null) {
        String scheme = connectorScheme(t.getMessage());
        if (scheme != null) {
          return scheme;
        }
      }
    }
    return null;
  }

  private static String connectorScheme(String missingClass) {
    if (missingClass.contains("org.apache.hadoop.fs.s3a.")) {
      return "s3a";
    }
    if (missingClass.contains("com.google.cloud.hadoop.fs.gcs.")) {
      return "gs";
    }
    if (missingClass.contains("org.apache.hadoop.fs.azurebfs.")) {
      return "abfs";
    }
    return missingClass.contains("org.apache.hadoop.fs.azure.") ? "wasb" : null;
  }

  /** Which library provides {@code scheme}'s file system, and how to add it. */
  public static String missing(String scheme) {
    String hadoop = VersionInfo.getVersion();
    return switch (scheme.toLowerCase(Locale.ROOT)) {
      case "s3a" ->
          String.format(
              "Hadoop's S3A connector is not on the class path (add org.apache.hadoop:hadoop-aws:%s"
                  + " and the AWS SDK bundle it depends on, e.g. spark-submit --packages"
                  + " org.apache.hadoop:hadoop-aws:%s)",
              hadoop, hadoop);
      case "s3", "s3n" ->
          String.format(
              "Hadoop reads S3 through s3a:// (write s3a://..., with"
                  + " org.apache.hadoop:hadoop-aws:%s on the class path)",
              hadoop);
      case "gs" ->
          "Google's Cloud Storage connector is not on the class path (add the shaded jar of"
              + " com.google.cloud.bigdataoss:gcs-connector, e.g. spark-submit --jars"
              + " gcs-connector-<version>-shaded.jar)";
      case "abfs", "abfss", "wasb", "wasbs" ->
          String.format(
              "Hadoop's Azure connector is not on the class path (add"
                  + " org.apache.hadoop:hadoop-azure:%s, e.g. spark-submit --packages"
                  + " org.apache.hadoop:hadoop-azure:%s)",
              hadoop, hadoop);
      default ->
          String.format(
              "Hadoop has no file system for the scheme %s (check the URI, or add the library"
                  + " that provides %s://)",
              scheme, scheme);
    };
  }
}
