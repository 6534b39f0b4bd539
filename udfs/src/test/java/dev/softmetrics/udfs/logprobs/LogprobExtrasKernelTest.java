package dev.softmetrics.udfs.logprobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.udfs.Rejection;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.complex.writer.BaseWriter.ListWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hand-computed values from METRICS.md's definitions, and every rejection. */
class LogprobExtrasKernelTest {
  private static final double TOL = 1e-4;
  private static final double LN2 = Math.log(2);
  private static final double NEG_INF = Double.NEGATIVE_INFINITY;

  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() {
    allocator.close();
  }

  /** A list<double> column; a null row is written as null, a null element as a null value. */
  private ListVector lists(String name, Double[]... rows) {
    ListVector vector = ListVector.empty(name, allocator);
    UnionListWriter writer = vector.getWriter();
    for (int i = 0; i < rows.length; i++) {
      writer.setPosition(i);
      if (rows[i] == null) {
        writer.writeNull();
        continue;
      }
      writer.startList();
      for (Double value : rows[i]) {
        if (value == null) {
          writer.float8().writeNull();
        } else {
          writer.float8().writeFloat8(value);
        }
      }
      writer.endList();
    }
    vector.setValueCount(rows.length);
    return vector;
  }

  /** A list<list<double>> column: rows of positions of top-k log-probs. */
  private ListVector nested(String name, double[][]... rows) {
    ListVector vector = ListVector.empty(name, allocator);
    UnionListWriter writer = vector.getWriter();
    for (int i = 0; i < rows.length; i++) {
      writer.setPosition(i);
      writer.startList();
      for (double[] position : rows[i]) {
        ListWriter inner = writer.list();
        if (position == null) {
          inner.writeNull();
          continue;
        }
        inner.startList();
        for (double value : position) {
          inner.float8().writeFloat8(value);
        }
        inner.endList();
      }
      writer.endList();
    }
    vector.setValueCount(rows.length);
    return vector;
  }

  private BigIntVector tokens(Long... values) {
    BigIntVector vector = new BigIntVector("tokens", allocator);
    vector.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        vector.setNull(i);
      } else {
        vector.set(i, values[i]);
      }
    }
    vector.setValueCount(values.length);
    return vector;
  }

  private IntVector status(int... values) {
    IntVector vector = new IntVector("status", allocator);
    vector.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      vector.set(i, values[i]);
    }
    vector.setValueCount(values.length);
    return vector;
  }

  private Float8Vector out(String name) {
    return new Float8Vector(name, allocator);
  }

  @Test
  void entropiesSumPerRowAndRejectBadOnes() {
    try (ListVector h =
            lists(
                "token_entropies",
                new Double[] {0.5, 1.25, 0.0},
                null,
                new Double[] {1.0},
                new Double[] {1.0, NEG_INF},
                new Double[] {-0.5},
                new Double[] {-1e-5},
                new Double[] {1.0, null},
                new Double[] {2.0});
        BigIntVector tokens = tokens(3L, 2L, 2L, 2L, 1L, 1L, 2L, 1L);
        IntVector status = status(0, 0, 0, 0, 0, 0, 0, Rejection.MISSING_LABEL.id());
        Float8Vector sum = out("entropy_sum")) {
      LogprobExtrasKernel.entropies(h, tokens, TOL, sum, status);
      assertThat(sum.get(0)).isEqualTo(1.75);
      assertThat(sum.isNull(1)).as("no entropies for the row: no metric, still scored").isTrue();
      assertThat(status.get(1)).isEqualTo(Rejection.SCORED);
      assertThat(status.get(2)).isEqualTo(Rejection.EXTRA_LENGTH_MISMATCH.id());
      assertThat(status.get(3)).isEqualTo(Rejection.INVALID_TOKEN_ENTROPY.id());
      assertThat(status.get(4)).isEqualTo(Rejection.INVALID_TOKEN_ENTROPY.id());
      assertThat(status.get(5)).as("rounding below 0 within the tolerance").isEqualTo(0);
      assertThat(sum.get(5)).isEqualTo(-1e-5);
      assertThat(status.get(6)).isEqualTo(Rejection.INVALID_TOKEN_ENTROPY.id());
      assertThat(status.get(7))
          .as("an earlier reason is kept")
          .isEqualTo(Rejection.MISSING_LABEL.id());
      assertThat(sum.isNull(7)).isTrue();
      for (int i : new int[] {2, 3, 4, 6}) {
        assertThat(sum.isNull(i)).isTrue();
      }
    }
  }

  @Test
  void extrasDropTheirFirstEntryWithASkippedFirstToken() {
    // Rows 0-2 skip a null first log-prob (tokens = 2 of 3 elements); row 3 scores from 0.
    try (ListVector logprobs =
            lists(
                "token_logprobs",
                new Double[] {null, -1.0, -2.0},
                new Double[] {null, -1.0, -2.0},
                new Double[] {null, -1.0, -2.0},
                new Double[] {-0.5, -1.0});
        ListVector h =
            lists(
                "token_entropies",
                new Double[] {null, 0.5, 0.25},
                new Double[] {0.5, 0.25},
                new Double[] {9.0, 0.5, 0.25},
                new Double[] {null, 0.5});
        ListVector refs =
            lists(
                "ref_logprobs",
                new Double[] {null, -1.5, -2.0},
                new Double[] {-1.5, -2.0},
                new Double[] {0.7, -1.5, -2.0},
                new Double[] {-0.5, -1.0});
        BigIntVector tokens = tokens(2L, 2L, 2L, 2L);
        IntVector hStatus = status(0, 0, 0, 0);
        IntVector klStatus = status(0, 0, 0, 0);
        Float8Vector sum = out("entropy_sum");
        Float8Vector s1 = out("k1");
        Float8Vector s2 = out("k2");
        Float8Vector s3 = out("k3")) {
      LogprobExtrasKernel.entropies(logprobs, h, tokens, TOL, sum, hStatus);
      LogprobExtrasKernel.referenceKl(logprobs, refs, tokens, TOL, s1, s2, s3, klStatus);

      assertThat(sum.get(0)).as("entry 0 dropped with the token").isEqualTo(0.75);
      assertThat(sum.get(2)).as("whatever entry 0 holds").isEqualTo(0.75);
      assertThat(s1.get(0)).as("k1 = -(ref - own) = -(-0.5 + 0)").isEqualTo(0.5);
      assertThat(s1.get(2)).isEqualTo(0.5);
      assertThat(hStatus.get(1))
          .as("lists hold one entry per element of token_logprobs, skipped one included")
          .isEqualTo(Rejection.EXTRA_LENGTH_MISMATCH.id());
      assertThat(klStatus.get(1)).isEqualTo(Rejection.EXTRA_LENGTH_MISMATCH.id());
      assertThat(hStatus.get(3))
          .as("a scored first token's entry is checked")
          .isEqualTo(Rejection.INVALID_TOKEN_ENTROPY.id());
      assertThat(klStatus.get(3)).isEqualTo(Rejection.SCORED);
    }
  }

  @Test
  void referenceKlEstimatorsFollowTheirDefinitions() {
    // d = ref - own per token.
    double[] own = {-1.0, -2.0, -0.5};
    double[] ref = {-1.5, -1.0, -0.5};
    double k1 = 0;
    double k2 = 0;
    double k3 = 0;
    for (int t = 0; t < 3; t++) {
      double d = ref[t] - own[t];
      k1 += -d;
      k2 += d * d / 2;
      k3 += Math.exp(d) - 1 - d;
    }
    try (ListVector logprobs =
            lists(
                "token_logprobs",
                new Double[] {own[0], own[1], own[2]},
                new Double[] {-1.0},
                new Double[] {-1.0},
                new Double[] {-1.0, -1.0},
                new Double[] {-1.0});
        ListVector refs =
            lists(
                "ref_logprobs",
                new Double[] {ref[0], ref[1], ref[2]},
                new Double[] {NEG_INF},
                new Double[] {0.5},
                new Double[] {-1.0},
                new Double[] {-1.0 + 1e-9});
        BigIntVector tokens = tokens(3L, 1L, 1L, 2L, 1L);
        IntVector status = status(0, 0, 0, 0, 0);
        Float8Vector s1 = out("k1");
        Float8Vector s2 = out("k2");
        Float8Vector s3 = out("k3")) {
      LogprobExtrasKernel.referenceKl(logprobs, refs, tokens, TOL, s1, s2, s3, status);
      assertThat(s1.get(0)).isCloseTo(k1, within(1e-15));
      assertThat(s2.get(0)).isCloseTo(k2, within(1e-15));
      assertThat(s3.get(0)).isCloseTo(k3, within(1e-15));
      assertThat(s3.get(0)).isPositive();
      assertThat(s1.get(1)).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(s2.get(1)).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(s3.get(1)).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(status.get(2)).isEqualTo(Rejection.INVALID_REF_LOGPROB.id());
      assertThat(status.get(3)).isEqualTo(Rejection.EXTRA_LENGTH_MISMATCH.id());
      // k3 = expm1(d) - d stays exact where exp(d) - 1 - d cancels: d = 1e-9 gives d^2 / 2.
      assertThat(s3.get(4)).isCloseTo(5e-19, within(1e-24));
    }
  }

  /**
   * Why k3 read about half the exact KL in the demo's sharpened checkpoints (docs/RL.md): over the
   * policy's whole distribution k1 and k3 both average to KL(q || p), but E_q[e^d] = 1 gets most of
   * its weight from tokens a sharp q almost never samples. A policy q = (0.99, 0.01) over a
   * reference p = (0.4, 0.6): 100 draws in exact proportion (99 and 1) give the KL to rounding; the
   * 99 draws of the likely token alone, what a small sample usually holds, leave k1 near the KL and
   * k3 far below it.
   */
  @Test
  void k3IsUnbiasedOverTheDistributionButShortOnATypicalSharpSample() {
    double[] q = {0.99, 0.01};
    double[] p = {0.4, 0.6};
    double kl = q[0] * Math.log(q[0] / p[0]) + q[1] * Math.log(q[1] / p[1]);
    Double[] own = new Double[100];
    Double[] ref = new Double[100];
    for (int t = 0; t < 100; t++) {
      int token = t < 99 ? 0 : 1;
      own[t] = Math.log(q[token]);
      ref[t] = Math.log(p[token]);
    }
    Double[] ownTypical = java.util.Arrays.copyOf(own, 99);
    Double[] refTypical = java.util.Arrays.copyOf(ref, 99);
    try (ListVector logprobs = lists("token_logprobs", own, ownTypical);
        ListVector refs = lists("ref_logprobs", ref, refTypical);
        BigIntVector tokens = tokens(100L, 99L);
        IntVector status = status(0, 0);
        Float8Vector s1 = out("k1");
        Float8Vector s2 = out("k2");
        Float8Vector s3 = out("k3")) {
      LogprobExtrasKernel.referenceKl(logprobs, refs, tokens, TOL, s1, s2, s3, status);
      assertThat(s1.get(0) / 100).isCloseTo(kl, within(1e-12));
      assertThat(s3.get(0) / 100).isCloseTo(kl, within(1e-12));
      // On the typical sample: k1 = ln(0.99 / 0.4) = 0.906, k3 = 0.4 / 0.99 - 1 + 0.906 = 0.310.
      double k1Typical = Math.log(q[0] / p[0]);
      assertThat(s1.get(1) / 99).isCloseTo(k1Typical, within(1e-12));
      assertThat(s3.get(1) / 99).isCloseTo(p[0] / q[0] - 1 + k1Typical, within(1e-12));
      assertThat(kl).isCloseTo(0.8562, within(1e-4));
      assertThat(s3.get(1) / 99).isLessThan(kl / 2);
    }
  }

  @Test
  void topKDropsTheSkippedFirstPosition() {
    double[] half = {Math.log(0.5), Math.log(0.25)};
    try (ListVector logprobs =
            lists("token_logprobs", new Double[] {null, -1.0}, new Double[] {null, -1.0});
        ListVector top =
            nested(
                "top_logprobs",
                new double[][] {null, half},
                new double[][] {{Math.log(0.7), Math.log(0.7)}, half});
        IntVector vocab = status(4, 4);
        BigIntVector tokens = tokens(1L, 1L);
        IntVector status = status(0, 0);
        Float8Vector lower = out("lower");
        Float8Vector upper = out("upper")) {
      LogprobExtrasKernel.topKEntropyBounds(
          logprobs, top, vocab, tokens, TOL, lower, upper, status);
      for (int row = 0; row < 2; row++) {
        assertThat(status.get(row)).isEqualTo(Rejection.SCORED);
        assertThat(lower.get(row)).isCloseTo(1.5 * LN2, within(1e-15));
        assertThat(upper.get(row)).isCloseTo(1.75 * LN2, within(1e-15));
      }
    }
  }

  @Test
  void topKBoundsAreTheTruncatedEntropyPlusTheTailsExtremes() {
    // One position: p = (1/2, 1/4), tail m = 1/4 over V - k = 2 tokens. The tail can be
    // (1/4, 0): H = 1.5 ln 2 (the lower bound); or (1/8, 1/8): H = 1.75 ln 2 (the upper bound).
    double[] half = {Math.log(0.5), Math.log(0.25)};
    try (ListVector top =
            nested(
                "top_logprobs",
                new double[][] {half},
                new double[][] {half, {0.0}},
                new double[][] {{Math.log(0.5), Math.log(0.5)}},
                new double[][] {{Math.log(0.7), Math.log(0.7)}},
                new double[][] {half},
                new double[][] {{-1, -2, -3, -4, -5}},
                new double[][] {(double[]) null});
        IntVector vocab = status(4, 4, 2, 4, 0, 4, 4);
        BigIntVector tokens = tokens(1L, 2L, 1L, 1L, 1L, 1L, 1L);
        IntVector status = status(0, 0, 0, 0, 0, 0, 0);
        Float8Vector lower = out("lower");
        Float8Vector upper = out("upper")) {
      LogprobExtrasKernel.topKEntropyBounds(top, vocab, tokens, TOL, lower, upper, status);
      assertThat(lower.get(0)).isCloseTo(1.5 * LN2, within(1e-15));
      assertThat(upper.get(0)).isCloseTo(1.75 * LN2, within(1e-15));
      // A sure token (log-prob 0) adds 0 to both; sums run over positions.
      assertThat(lower.get(1)).isCloseTo(1.5 * LN2, within(1e-15));
      assertThat(upper.get(1)).isCloseTo(1.75 * LN2, within(1e-15));
      // k = V: the whole distribution is known, both bounds are its entropy.
      assertThat(lower.get(2)).isCloseTo(LN2, within(1e-15));
      assertThat(upper.get(2)).isCloseTo(LN2, within(1e-15));
      assertThat(status.get(3))
          .as("probabilities summing to 1.4")
          .isEqualTo(Rejection.INVALID_TOP_LOGPROBS.id());
      assertThat(status.get(4))
          .as("no vocabulary size")
          .isEqualTo(Rejection.INVALID_TOP_LOGPROBS.id());
      assertThat(status.get(5)).as("k = 5 > V = 4").isEqualTo(Rejection.INVALID_TOP_LOGPROBS.id());
      assertThat(status.get(6))
          .as("a null position")
          .isEqualTo(Rejection.INVALID_TOP_LOGPROBS.id());
      for (int i = 3; i < 7; i++) {
        assertThat(lower.isNull(i)).isTrue();
        assertThat(upper.isNull(i)).isTrue();
      }
    }
  }

  @Test
  void boundsContainTheEntropyOfRandomDistributions() {
    java.util.Random random = new java.util.Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int vocab = 2 + random.nextInt(60);
      int k = 1 + random.nextInt(vocab);
      double[] weights = new double[vocab];
      double total = 0;
      for (int i = 0; i < vocab; i++) {
        weights[i] = Math.pow(random.nextDouble(), 3);
        total += weights[i];
      }
      double entropy = 0;
      for (int i = 0; i < vocab; i++) {
        weights[i] /= total;
        entropy -= weights[i] * Math.log(weights[i]);
      }
      double[] sorted = weights.clone();
      java.util.Arrays.sort(sorted);
      double[] topK = new double[k];
      for (int i = 0; i < k; i++) {
        topK[i] = Math.log(sorted[vocab - 1 - i]);
      }
      try (ListVector top = nested("top_logprobs", new double[][][] {{topK}});
          IntVector v = status(vocab);
          BigIntVector tokens = tokens(1L);
          IntVector status = status(0);
          Float8Vector lower = out("lower");
          Float8Vector upper = out("upper")) {
        LogprobExtrasKernel.topKEntropyBounds(top, v, tokens, TOL, lower, upper, status);
        assertThat(status.get(0)).isZero();
        assertThat(lower.get(0)).as("V=%d k=%d", vocab, k).isLessThanOrEqualTo(entropy + 1e-12);
        assertThat(upper.get(0)).as("V=%d k=%d", vocab, k).isGreaterThanOrEqualTo(entropy - 1e-12);
      }
    }
  }
}
