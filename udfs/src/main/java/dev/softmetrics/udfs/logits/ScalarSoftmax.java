package dev.softmetrics.udfs.logits;

/** The reference {@link SoftmaxKernel}: one element at a time, {@link Math#exp}, double sums. */
final class ScalarSoftmax extends SoftmaxDefinitions {
  static final ScalarSoftmax INSTANCE = new ScalarSoftmax();

  private ScalarSoftmax() {}

  @Override
  double max(float[] logits, int offset, int vocab) {
    return maxFrom(logits, offset, 0, vocab, Float.NEGATIVE_INFINITY);
  }

  @Override
  void expSums(float[] logits, int offset, int vocab, double m, PositionMetrics out) {
    out.expSum = 0;
    out.expWeightedSum = 0;
    addExpSums(logits, offset, 0, vocab, m, out);
  }

  @Override
  void klSums(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int vocab,
      PositionMetrics out) {
    out.klForward = 0;
    out.klReverse = 0;
    addKlSums(logits, offset, reference, referenceOffset, 0, vocab, out);
  }
}
