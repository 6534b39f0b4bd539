package dev.softmetrics.udfs.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Buckets and sums worked out by hand from floor(log2(p + 1)). */
class PositionBucketsTest {
  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() {
    allocator.close();
  }

  /** A list column; {@code floats} writes list<float>, else list<double>; null elements kept. */
  private ListVector lists(boolean floats, Double[]... rows) {
    ListVector vector = ListVector.empty("values", allocator);
    UnionListWriter writer = vector.getWriter();
    for (int i = 0; i < rows.length; i++) {
      writer.setPosition(i);
      if (rows[i] == null) {
        writer.writeNull();
        continue;
      }
      writer.startList();
      for (Double v : rows[i]) {
        if (v == null) {
          if (floats) {
            writer.float4().writeNull();
          } else {
            writer.float8().writeNull();
          }
        } else if (floats) {
          writer.float4().writeFloat4(v.floatValue());
        } else {
          writer.float8().writeFloat8(v);
        }
      }
      writer.endList();
    }
    vector.setValueCount(rows.length);
    return vector;
  }

  @Test
  void bucketKHoldsPositionsTwoToTheKMinusOneToTwoToTheKPlusOneMinusTwo() {
    long[] positions = {0, 1, 2, 3, 6, 7, 14, 15, 1022, 1023};
    int[] buckets = {0, 1, 1, 2, 2, 3, 3, 4, 9, 10};
    for (int i = 0; i < positions.length; i++) {
      assertThat(PositionBuckets.of(positions[i])).as("p = %d", positions[i]).isEqualTo(buckets[i]);
    }
    assertThat(PositionBuckets.firstPosition(0)).isEqualTo(0);
    assertThat(PositionBuckets.lastPosition(0)).isEqualTo(0);
    assertThat(PositionBuckets.firstPosition(3)).isEqualTo(7);
    assertThat(PositionBuckets.lastPosition(3)).isEqualTo(14);
    assertThat(PositionBuckets.of(Long.MAX_VALUE - 1)).isEqualTo(62);
    assertThat(PositionBuckets.lastPosition(62)).isEqualTo(Long.MAX_VALUE - 1);
    assertThatThrownBy(() -> PositionBuckets.of(-1))
        .hasMessage("Invalid position: -1 (must be in [0, 2^63 - 1))");
  }

  @Test
  void logprobsAndEntropiesAddIntoTheirPositionsBuckets() {
    try (ListVector logprobs =
            lists(false, new Double[] {-1.0, -2.0, -3.0, -4.0}, new Double[] {-0.5, -0.25});
        ListVector entropies =
            lists(false, new Double[] {0.5, 1.0, 1.5, 2.0}, new Double[] {3.0, 4.0})) {
      PositionBuckets.Sums sums = new PositionBuckets.Sums();
      // Positions 0, 1, 2, 3: buckets 0 {0}, 1 {1, 2}, 2 {3}.
      PositionBuckets.addLogprobs(logprobs, 0, 0, sums);
      PositionBuckets.addEntropies(entropies, 0, 0, sums);
      assertThat(sums.buckets()).isEqualTo(3);
      assertThat(new long[] {sums.tokens(0), sums.tokens(1), sums.tokens(2)})
          .containsExactly(1, 2, 1);
      assertThat(new double[] {sums.nll(0), sums.nll(1), sums.nll(2)}).containsExactly(1, 5, 4);
      assertThat(new double[] {sums.entropy(0), sums.entropy(1), sums.entropy(2)})
          .containsExactly(0.5, 2.5, 2.0);
      assertThat(sums.hasEntropy()).isTrue();

      // A chunk from position 6: positions 6 (bucket 2) and 7 (bucket 3) add to the same sums.
      PositionBuckets.addLogprobs(logprobs, 1, 6, sums);
      assertThat(sums.buckets()).isEqualTo(4);
      assertThat(sums.tokens(2)).isEqualTo(2);
      assertThat(sums.nll(2)).isEqualTo(4.5);
      assertThat(sums.tokens(3)).isEqualTo(1);
      assertThat(sums.nll(3)).isEqualTo(0.25);

      sums.clear();
      assertThat(sums.buckets()).isZero();
      assertThat(sums.hasEntropy()).isFalse();
      assertThat(sums.tokens(1)).isZero();
      assertThat(sums.nll(1)).isZero();
      assertThat(sums.entropy(1)).isZero();
    }
  }

  @Test
  void aNullFirstElementIsPositionZeroAndCountsInNoBucket() {
    try (ListVector logprobs = lists(true, new Double[] {null, -2.0, -3.0}, null);
        ListVector entropies = lists(true, new Double[] {null, 1.0, 2.0}, null)) {
      PositionBuckets.Sums sums = new PositionBuckets.Sums();
      PositionBuckets.addLogprobs(logprobs, 0, 0, sums);
      PositionBuckets.addEntropies(entropies, 0, 0, sums);
      assertThat(sums.buckets()).isEqualTo(2);
      assertThat(sums.tokens(0)).isZero();
      assertThat(sums.nll(0)).isZero();
      assertThat(sums.tokens(1)).isEqualTo(2);
      assertThat(sums.nll(1)).isEqualTo(5);
      assertThat(sums.entropy(1)).isEqualTo(3);

      PositionBuckets.Sums none = new PositionBuckets.Sums();
      PositionBuckets.addEntropies(entropies, 1, 0, none);
      assertThat(none.hasEntropy()).as("a null row of entropies: none").isFalse();
    }
  }

  @Test
  void storedBucketsAndSinglePositionsAddLikeLists() {
    PositionBuckets.Sums sums = new PositionBuckets.Sums();
    sums.add(0, 1.0, Double.NaN);
    sums.add(2, 0.5, Double.NaN);
    assertThat(sums.hasEntropy()).isFalse();
    sums.addBucket(4, 16, 8.0, 2.0);
    assertThat(sums.buckets()).isEqualTo(5);
    assertThat(sums.tokens(4)).isEqualTo(16);
    assertThat(sums.nll(4)).isEqualTo(8);
    assertThat(sums.entropy(4)).isEqualTo(2);
    assertThat(sums.hasEntropy()).isTrue();
    assertThat(sums.tokens(1)).isEqualTo(1);
    assertThat(sums.nll(1)).isEqualTo(0.5);
  }
}
