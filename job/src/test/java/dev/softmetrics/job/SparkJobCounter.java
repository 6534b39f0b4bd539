package dev.softmetrics.job;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/**
 * Counts the Spark jobs an action starts. Listener events arrive asynchronously but in order, so
 * after the action a marker job is run and awaited: every job the action started was seen before.
 */
public final class SparkJobCounter {
  private SparkJobCounter() {}

  private static final String MARKER = "softmetrics-test-marker";

  /** The number of Spark jobs that ran while {@code action} did; its exception is swallowed. */
  public static int jobsDuring(SparkSession spark, Runnable action) {
    Set<Integer> jobs = ConcurrentHashMap.newKeySet();
    CountDownLatch marker = new CountDownLatch(1);
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            String group = start.properties().getProperty("spark.jobGroup.id");
            if (MARKER.equals(group)) {
              marker.countDown();
            } else {
              jobs.add(start.jobId());
            }
          }
        };
    spark.sparkContext().addSparkListener(listener);
    try {
      try {
        action.run();
      } catch (RuntimeException expected) {
        // The caller asserts the failure itself; here only the jobs count.
      }
      spark.sparkContext().setJobGroup(MARKER, MARKER, false);
      spark.range(1).count();
      spark.sparkContext().clearJobGroup();
      if (!marker.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("The marker job's start event never arrived");
      }
      return jobs.size();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
  }
}
