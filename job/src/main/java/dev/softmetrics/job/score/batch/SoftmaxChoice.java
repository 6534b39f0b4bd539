package dev.softmetrics.job.score.batch;

import dev.softmetrics.udfs.logits.SoftmaxKernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The softmax kernel of this JVM, chosen once and logged: on a cluster each executor says in its
 * log which kernel it runs, so an executor started without {@code --add-modules
 * jdk.incubator.vector} (several times slower) shows up as a warning rather than as a slow run.
 */
final class SoftmaxChoice {
  private static final Logger LOG = LoggerFactory.getLogger(SoftmaxChoice.class);

  /** {@link SoftmaxKernel#best()}, with the reason when it is the scalar one. */
  static final SoftmaxKernel KERNEL = choose();

  private SoftmaxChoice() {}

  private static SoftmaxKernel choose() {
    try {
      SoftmaxKernel vector = SoftmaxKernel.vector();
      LOG.info("softmetrics: logits kernel: vector");
      return vector;
    } catch (UnsupportedOperationException e) {
      LOG.warn("softmetrics: logits kernel: scalar, several times slower ({})", e.getMessage());
      return SoftmaxKernel.scalar();
    }
  }
}
