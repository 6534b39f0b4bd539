package dev.softmetrics.job;

import picocli.CommandLine.IVersionProvider;

/**
 * The running code's version, from the job jar's manifest ({@code dev} when run from classes), for
 * {@code --version} and the {@code runs/} table.
 */
public final class Versions implements IVersionProvider {
  /** The version of softmetrics that is running. */
  public static String softmetrics() {
    String version = Versions.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "softmetrics " + softmetrics(),
      "Spark "
          + org.apache.spark.package$.MODULE$.SPARK_VERSION()
          + ", Java "
          + System.getProperty("java.version")
    };
  }
}
