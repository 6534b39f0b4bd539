package dev.softmetrics.corpora;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of test classes that share one local Spark session ({@code local[2]}), started before the
 * class's own {@code @BeforeAll} methods and stopped after its {@code @AfterAll} methods. Spark's
 * defaults, not the job's: the writers take whatever session their caller has.
 */
public abstract class LocalSparkTest {
  protected static SparkSession spark;

  @BeforeAll
  static void startLocalSpark() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("softmetrics-corpora-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
  }

  @AfterAll
  static void stopLocalSpark() {
    spark.stop();
  }
}
