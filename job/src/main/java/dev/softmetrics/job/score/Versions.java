package dev.softmetrics.job.score;

/** The running code's version, from the job jar's manifest ({@code dev} when run from classes). */
final class Versions {
  private Versions() {}

  static String softmetrics() {
    String version = ScoreJob.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
