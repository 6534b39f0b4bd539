package dev.softmetrics.job;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of test classes that share one local Spark session ({@link LocalSpark#start()}), started
 * before the class's own {@code @BeforeAll} methods and stopped after its {@code @AfterAll}
 * methods.
 */
public abstract class LocalSparkTest {
  protected static SparkSession spark;

  @BeforeAll
  static void startLocalSpark() {
    spark = LocalSpark.start();
  }

  @AfterAll
  static void stopLocalSpark() {
    spark.stop();
  }
}
