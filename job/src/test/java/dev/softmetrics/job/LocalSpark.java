package dev.softmetrics.job;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.io.NioLocalFileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * The local Spark session of a test class: {@code local[2]} with the embedded defaults of
 * reference.conf, so tests run the same settings that {@code bin/softmetrics} does. Start it in
 * {@code @BeforeAll}, stop it in {@code @AfterAll}.
 */
public final class LocalSpark {
  private LocalSpark() {}

  public static SparkSession start() {
    return start("local[2]");
  }

  /** A session on another master, e.g. {@code local[1]}. */
  public static SparkSession start(String master) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master(master)
            .appName("softmetrics-test")
            .config("spark.sql.shuffle.partitions", "4");
    JobConfig.defaults().sparkConf().forEach(builder::config);
    NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
    return builder.getOrCreate();
  }
}
