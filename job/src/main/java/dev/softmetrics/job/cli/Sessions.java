package dev.softmetrics.job.cli;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.io.NioLocalFileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a run: embedded on {@code local[*]} when nothing says otherwise, the given
 * master with {@code --master} (with what {@link ClusterDriver} adds for a cluster), or whatever
 * spark-submit configured when it launched the job. Public for the demo module, which scores its
 * inputs on one such session.
 */
public final class Sessions {
  private Sessions() {}

  private static final String HEARTBEAT = "spark.executor.heartbeatInterval";

  /**
   * The executors' heartbeat interval, which also carries running tasks' rows read to the progress
   * lines: no longer than one progress interval (Spark's default is 10 s, which left the first
   * lines at "0 rows"), at least 1 s; a {@code spark.executor.heartbeatInterval} setting (applied
   * after) wins.
   */
  static String heartbeat(JobConfig config) {
    long millis = Math.max(1000, Math.min(10_000, config.progressInterval().toMillis()));
    return millis + "ms";
  }

  /** True when spark-submit (or a caller's -Dspark.master) chose the master. */
  static boolean underSparkSubmit() {
    return new SparkConf().contains("spark.master");
  }

  /** A session on {@code master} (null: embedded, unless spark-submit chose) with the settings. */
  public static SparkSession open(String master, JobConfig config) {
    return open(master, config, java.util.Map.of());
  }

  /** A session as {@link #open(String, JobConfig)}, with {@code settings} on top. */
  static SparkSession open(
      String master, JobConfig config, java.util.Map<String, String> settings) {
    SparkSession.Builder builder = SparkSession.builder().appName("softmetrics");
    boolean submitted = underSparkSubmit();
    if (master != null) {
      builder.master(master);
    } else if (!submitted) {
      builder.master("local[*]");
    }
    if (!submitted) {
      if (master == null || master.equals("local") || master.startsWith("local[")) {
        NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
      }
      builder.config(HEARTBEAT, heartbeat(config));
      config.sparkConf().forEach(builder::config);
      ClusterDriver.settings(master, config.sparkConf()).forEach(builder::config);
    }
    settings.forEach(builder::config);
    return builder.getOrCreate();
  }
}
