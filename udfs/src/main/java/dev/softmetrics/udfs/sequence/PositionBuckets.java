package dev.softmetrics.udfs.sequence;

import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * A sequence's NLL (and entropy) by position, in log2 buckets: bucket k holds the 0-based positions
 * p with floor(log2(p + 1)) = k, that is p from 2^k - 1 to 2^(k+1) - 2 (bucket 0: p = 0; 1: 1-2; 2:
 * 3-6; ...). Position p of a list element is {@code firstPosition} plus its index in the list; a
 * null element (an unscored first token) is skipped, so it counts in no bucket and the positions of
 * the others do not move.
 *
 * <p>Per bucket, the sums are added in position order into one double each: the result depends only
 * on the sequence's values. A corpus adds the sequences' bucket sums exactly ({@link
 * dev.softmetrics.udfs.corpus.ExactSum}), as it does their NLL sums.
 *
 * <p>Cost: O(elements) per row, no allocation; {@link Sums} is allocated once and reused.
 */
public final class PositionBuckets {
  /** Buckets of a {@code long} position: 0 to 62 (position 2^63 - 2 is in bucket 62). */
  public static final int MAX_BUCKETS = 63;

  private PositionBuckets() {}

  /** The bucket of position {@code p >= 0}: floor(log2(p + 1)). */
  public static int of(long p) {
    if (p < 0 || p == Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          String.format("Invalid position: %d (must be in [0, 2^63 - 1))", p));
    }
    return 63 - Long.numberOfLeadingZeros(p + 1);
  }

  /** The first position of bucket {@code k}: 2^k - 1. */
  public static long firstPosition(int k) {
    return (1L << k) - 1;
  }

  /** The last position of bucket {@code k}: 2^(k+1) - 2. */
  public static long lastPosition(int k) {
    return k == MAX_BUCKETS - 1 ? Long.MAX_VALUE - 1 : (1L << (k + 1)) - 2;
  }

  /**
   * One sequence's sums per bucket, filled by the methods below and cleared with {@link #clear}.
   * Buckets at or above {@link #buckets()} are empty.
   */
  public static final class Sums {
    private final long[] tokens = new long[MAX_BUCKETS];
    private final double[] nll = new double[MAX_BUCKETS];
    private final double[] entropy = new double[MAX_BUCKETS];
    private int buckets;
    private boolean withEntropy;

    /** Empties every bucket, and marks the entropy absent. */
    public void clear() {
      Arrays.fill(tokens, 0, buckets, 0);
      Arrays.fill(nll, 0, buckets, 0);
      Arrays.fill(entropy, 0, buckets, 0);
      buckets = 0;
      withEntropy = false;
    }

    /** One past the highest bucket holding a token; 0 when none does. */
    public int buckets() {
      return buckets;
    }

    /** Scored tokens in bucket {@code k}. */
    public long tokens(int k) {
      return tokens[k];
    }

    /** The NLL (nats) of bucket {@code k}'s tokens. */
    public double nll(int k) {
      return nll[k];
    }

    /** The entropy (nats) of bucket {@code k}'s tokens; meaningful when {@link #hasEntropy}. */
    public double entropy(int k) {
      return entropy[k];
    }

    /** True when entropies were added. */
    public boolean hasEntropy() {
      return withEntropy;
    }

    /**
     * Adds one scored position: its NLL and its entropy (NaN: none; then the sequence has no
     * entropies).
     */
    public void add(long position, double positionNll, double positionEntropy) {
      int k = of(position);
      tokens[k]++;
      nll[k] += positionNll;
      if (!Double.isNaN(positionEntropy)) {
        entropy[k] += positionEntropy;
        withEntropy = true;
      }
      buckets = Math.max(buckets, k + 1);
    }

    /**
     * Adds a bucket's sums, as stored or as a chunk of the sequence gave them ({@code entropySum}
     * NaN: none).
     */
    public void addBucket(int k, long bucketTokens, double nllSum, double entropySum) {
      tokens[k] += bucketTokens;
      nll[k] += nllSum;
      if (!Double.isNaN(entropySum)) {
        entropy[k] += entropySum;
        withEntropy = true;
      }
      buckets = Math.max(buckets, k + 1);
    }
  }

  /**
   * Adds row {@code row}'s log-probs into {@code into}: each non-null element l at list index i is
   * position {@code firstPosition + i}, adding one token and -l to its bucket. The caller passes
   * only rows it scored (every other element valid).
   *
   * @param logprobs a list of float or double
   */
  public static void addLogprobs(ListVector logprobs, int row, long firstPosition, Sums into) {
    int start = logprobs.getElementStartIndex(row);
    int end = logprobs.getElementEndIndex(row);
    addRange(logprobs.getDataVector(), start, end, firstPosition, -1, into.nll, into.tokens, into);
  }

  /**
   * Adds row {@code row}'s entropies into {@code into}, position by position as {@link
   * #addLogprobs}; a null element (the unscored first token) adds nothing. Does nothing for a null
   * row (the sequence has no entropies).
   *
   * @param entropies a list of float or double
   */
  public static void addEntropies(ListVector entropies, int row, long firstPosition, Sums into) {
    if (entropies.isNull(row)) {
      return;
    }
    int start = entropies.getElementStartIndex(row);
    int end = entropies.getElementEndIndex(row);
    addRange(entropies.getDataVector(), start, end, firstPosition, 1, into.entropy, null, into);
    into.withEntropy = true;
  }

  /**
   * Adds per-position NLL and entropy values (as {@code LogitsChunkKernel} writes them) into {@code
   * into}: elements {@code [start, end)} are positions {@code firstPosition} onwards.
   *
   * @param entropy the entropies at the same elements, or null for none
   */
  public static void addPositions(
      Float8Vector nll, Float8Vector entropy, int start, int end, long firstPosition, Sums into) {
    addRange(nll, start, end, firstPosition, 1, into.nll, into.tokens, into);
    if (entropy != null) {
      addRange(entropy, start, end, firstPosition, 1, into.entropy, null, into);
      into.withEntropy = true;
    }
  }

  /**
   * Adds {@code sign} times elements {@code [start, end)} of {@code values} into {@code sums} by
   * bucket, position {@code firstPosition} onwards, skipping nulls; counts them into {@code tokens}
   * unless it is null. Walks bucket by bucket, so the bucket is found once per bucket, not per
   * element. The buffers are checked once per call to hold {@code [start, end)}, then read without
   * Arrow's per-access checks (which were most of a scoring task's time).
   */
  private static void addRange(
      FieldVector values,
      int start,
      int end,
      long firstPosition,
      double sign,
      double[] sums,
      long[] tokens,
      Sums into) {
    boolean floats = values instanceof Float4Vector;
    if (!floats && !(values instanceof Float8Vector)) {
      throw new IllegalArgumentException(
          "Invalid values: " + values.getMinorType() + " (must be FLOAT4 or FLOAT8)");
    }
    int width = floats ? Float.BYTES : Double.BYTES;
    ArrowBuf data = values.getDataBuffer();
    ArrowBuf validity = values.getValidityBuffer();
    if (start < 0 || start > end || (long) end * width > data.capacity()) {
      throw new IndexOutOfBoundsException(
          String.format(
              "Invalid range: [%d, %d) of %d bytes of values", start, end, data.capacity()));
    }
    // A vector without a validity buffer as long as the values holds no nulls.
    boolean nulls = validity != null && validity.capacity() * 8L >= end;
    long address = data.memoryAddress();
    long validityAddress = nulls ? validity.memoryAddress() : 0;
    int j = start;
    while (j < end) {
      long position = firstPosition + (j - start);
      int k = of(position);
      int stop = (int) Math.min(end, j + (lastPosition(k) - position) + 1);
      double sum = 0;
      long count = 0;
      for (; j < stop; j++) {
        if (!nulls || (MemoryUtil.getByte(validityAddress + (j >>> 3)) & (1 << (j & 7))) != 0) {
          sum +=
              floats
                  ? Float.intBitsToFloat(MemoryUtil.getInt(address + (long) j * width))
                  : Double.longBitsToDouble(MemoryUtil.getLong(address + (long) j * width));
          count++;
        }
      }
      sums[k] += sign * sum;
      if (tokens != null) {
        tokens[k] += count;
        if (count > 0) {
          into.buckets = Math.max(into.buckets, k + 1);
        }
      }
    }
  }
}
