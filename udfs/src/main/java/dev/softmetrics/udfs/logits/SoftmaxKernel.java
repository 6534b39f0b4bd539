package dev.softmetrics.udfs.logits;

/**
 * Per-position soft metrics from full logits: stable log-sum-exp, the target's NLL, entropy, and KL
 * divergence in both directions against a reference model's logits at the same position.
 *
 * <p>Definitions (METRICS.md): with m = max_i z_i, LSE(z) = m + ln sum_i exp(z_i - m); log q_i =
 * z_i - LSE(z); H = -sum_i q_i log q_i; KL(A||B) = sum_i a_i (log a_i - log b_i). A logit of -inf
 * is a token of probability 0: its entropy term is 0, never NaN; KL is +inf when the second
 * distribution gives 0 to a token the first does not. Support is decided from the logits: a finite
 * logit, however low, is a token of positive probability even where its exp underflows in double
 * (model [0, -inf] against reference [0, -1000]: KL(P||Q) = +inf, not NaN). Every sum is
 * accumulated in double; shifting all logits by a constant changes no result.
 *
 * <p>Input: {@code vocab} floats from {@code offset}, finite or -inf. A position with a NaN or +inf
 * logit, or with every logit -inf, has no distribution: every metric of it is NaN, which the caller
 * reports as a rejected row. Results are written into a caller-owned {@link PositionMetrics};
 * nothing is allocated.
 *
 * <p>Two implementations compute the same definitions with the same operations in the same order,
 * so they give the same bits: {@link #scalar()}, one element at a time, and {@link #vector()}, with
 * the Vector API on 256-bit double vectors, several times faster. exp is {@link PortableExp}
 * (additions, multiplications and fused multiply-adds only) and every pass keeps 8 partial sums
 * added in a fixed order, so a result does not depend on the machine (AVX2 or AVX-512), the JIT
 * tier, or which implementation ran: reruns on any cluster give the same numbers. {@link #best()}
 * picks the vector one when the JVM runs with {@code --add-modules jdk.incubator.vector} on a CPU
 * with at least 256-bit vectors. Cost: about 1.1 ns per vocabulary element and position (vector), 6
 * ns with a reference, on one AVX-512 core (docs/PERFORMANCE.md, {@code bench/kernels.sh
 * SoftmaxBench}).
 */
public sealed interface SoftmaxKernel permits SoftmaxDefinitions {

  /**
   * The model's metrics at one position: {@code logSumExp}, {@code nll} of {@code target} and
   * {@code entropy}; the reference fields are set to NaN.
   *
   * @throws IndexOutOfBoundsException if the range or the target is out of bounds
   */
  void score(float[] logits, int offset, int vocab, int target, PositionMetrics out);

  /**
   * The model's metrics and the reference's: everything in {@link PositionMetrics}.
   *
   * @throws IndexOutOfBoundsException if a range or the target is out of bounds
   */
  void scoreWithReference(
      float[] logits,
      int offset,
      float[] reference,
      int referenceOffset,
      int vocab,
      int target,
      PositionMetrics out);

  /** The scalar reference implementation. */
  static SoftmaxKernel scalar() {
    return ScalarSoftmax.INSTANCE;
  }

  /**
   * The Vector API implementation.
   *
   * @throws UnsupportedOperationException when the JVM lacks {@code jdk.incubator.vector} or the
   *     CPU lacks 256-bit vectors
   */
  static SoftmaxKernel vector() {
    if (!VectorSupport.AVAILABLE) {
      throw new UnsupportedOperationException(VectorSupport.REASON);
    }
    return VectorSupport.vectorKernel();
  }

  /** The vector implementation where it runs well, else the scalar one. */
  static SoftmaxKernel best() {
    return VectorSupport.AVAILABLE ? VectorSupport.vectorKernel() : scalar();
  }
}
