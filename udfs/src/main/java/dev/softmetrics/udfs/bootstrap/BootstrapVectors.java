package dev.softmetrics.udfs.bootstrap;

/**
 * Whether {@link VectorDraws} can be used here. Kept apart from it so that checking never loads
 * {@code jdk.incubator.vector} classes on a JVM started without the module.
 */
final class BootstrapVectors {
  private BootstrapVectors() {}

  /** Why the vector loop is not used, or null when it is. */
  static final String REASON = reason();

  static final boolean AVAILABLE = REASON == null;

  private static String reason() {
    if (Boolean.getBoolean("softmetrics.bootstrap.scalar")) {
      return "Turned off by -Dsoftmetrics.bootstrap.scalar=true";
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return "The Vector API is not enabled: start the JVM with --add-modules jdk.incubator.vector";
    }
    try {
      int bits = VectorDraws.preferredBits();
      if (bits < 256) {
        return "This CPU's vectors are " + bits + " bits wide; the vector loop needs 256";
      }
      return null;
    } catch (LinkageError e) {
      return "The Vector API does not load: " + e;
    }
  }
}
