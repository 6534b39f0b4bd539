package dev.softmetrics.job.config;

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

  /**
   * The git commit the job was built from ({@code git.properties}, written by the build), with
   * {@code -dirty} when the working tree had changes; null when the build had no git checkout.
   */
  public static String gitCommit() {
    return GIT_COMMIT;
  }

  private static final String GIT_COMMIT = readGitCommit();

  private static String readGitCommit() {
    try (java.io.InputStream in =
        Versions.class.getResourceAsStream("/dev/softmetrics/job/git.properties")) {
      if (in == null) {
        return null;
      }
      java.util.Properties git = new java.util.Properties();
      git.load(in);
      String id = git.getProperty("git.commit.id");
      if (id == null || id.isBlank()) {
        return null;
      }
      return "true".equals(git.getProperty("git.dirty")) ? id + "-dirty" : id;
    } catch (java.io.IOException e) {
      return null;
    }
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
