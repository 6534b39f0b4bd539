package dev.softmetrics.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.VersionInfo;
import org.junit.jupiter.api.Test;

/**
 * Hadoop's own failures for a file system that is not on the class path, as any code that opens a
 * path meets them: a setup mistake (exit 2) with the library to add, not a class name (exit 1).
 */
class FailuresTest {

  private static Throwable opening(String uri) {
    Throwable failure =
        catchThrowable(
            () -> new Path(uri).getFileSystem(new Configuration()).exists(new Path(uri)));
    assertThat(failure).as(uri).isNotNull();
    return new IllegalStateException("The run crashed", failure);
  }

  @Test
  void s3aWithoutHadoopAwsNamesTheLibrary() {
    Throwable failure = opening("s3a://bucket/out");

    assertThat(Failures.exitCode(failure)).isEqualTo(2);
    assertThat(Failures.line(failure))
        .isEqualTo(
            "softmetrics: error: Cannot use s3a:// paths: Hadoop's S3A connector is not on the"
                + " class path (add org.apache.hadoop:hadoop-aws:"
                + VersionInfo.getVersion()
                + " and the AWS SDK bundle it depends on, e.g. spark-submit --packages"
                + " org.apache.hadoop:hadoop-aws:"
                + VersionInfo.getVersion()
                + ")");
  }

  @Test
  void aSchemeHadoopDoesNotKnowSaysWhatToCheck() {
    Throwable failure = opening("gs://bucket/out");

    assertThat(Failures.exitCode(failure)).isEqualTo(2);
    assertThat(Failures.line(failure))
        .startsWith("softmetrics: error: Cannot use gs:// paths: Google's Cloud Storage connector")
        .contains("com.google.cloud.bigdataoss:gcs-connector");
  }

  @Test
  void otherCrashesStayExitOne() {
    Throwable failure =
        new IllegalStateException("The run crashed", new java.io.IOException("disk full"));

    assertThat(Failures.exitCode(failure)).isEqualTo(1);
    assertThat(Failures.line(failure)).isEqualTo("softmetrics: error: The run crashed");
  }
}
