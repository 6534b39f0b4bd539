package dev.softmetrics.udfs.logits;

/**
 * Whether the Vector API can be used here. Kept apart from {@link VectorSoftmax} so that checking
 * never loads {@code jdk.incubator.vector} classes on a JVM without the module.
 */
final class VectorSupport {
  private VectorSupport() {}

  /** The reason the vector kernel is not available, or null. */
  static final String REASON = reason();

  static final boolean AVAILABLE = REASON == null;

  private static String reason() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return "The Vector API is not enabled: start the JVM with --add-modules jdk.incubator.vector";
    }
    try {
      int bits = VectorSoftmax.preferredBits();
      if (bits < 256) {
        return "This CPU's vectors are " + bits + " bits wide; the vector kernel needs 256";
      }
      return null;
    } catch (LinkageError e) {
      return "The Vector API does not load: " + e;
    }
  }

  static SoftmaxKernel vectorKernel() {
    return VectorSoftmax.INSTANCE;
  }
}
