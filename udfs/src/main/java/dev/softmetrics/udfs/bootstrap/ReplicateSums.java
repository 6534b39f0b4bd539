package dev.softmetrics.udfs.bootstrap;

import dev.softmetrics.udfs.corpus.CorpusMetrics;
import dev.softmetrics.udfs.corpus.ExactSum;
import java.io.Serializable;

/**
 * The sums of one group of sequences in every bootstrap replicate: per replicate {@code r}, the
 * weighted sums {@code sum w_ir nll_i}, {@code sum w_ir tokens_i} and {@code sum w_ir bytes_i}, and
 * the unweighted sums of the sample itself. Corpus figures are ratios of such sums, so a
 * replicate's figure is computed from its sums as the corpus figure is from the group's ({@link
 * CorpusMetrics}).
 *
 * <p>Why the sums do not depend on partitioning or order: token and byte counts are longs, added
 * exactly. An NLL is first rounded, once and on its own, to a fixed-point number (a long of whole
 * nats and a long of 2^-52 units: the rounding is a function of the value alone, at most 2^-52 nats
 * off), and the weighted fixed-point numbers are then added exactly as integers. So any split of
 * the sequences into tasks and any merge order give the same bits. An {@link
 * dev.softmetrics.udfs.corpus.ExactSum} per replicate would do the same at about 20 times the
 * memory (R of them per group per task).
 *
 * <p>Cost: 32 bytes per replicate; {@link #add} is O(R), four multiply-adds per replicate and no
 * branch; {@link #merge} is O(R). Not thread-safe.
 */
public final class ReplicateSums implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final int FRACTION_BITS = 52;
  private static final long FRACTION_MASK = (1L << FRACTION_BITS) - 1;
  private static final double UNIT = 0x1p-52;

  /** Per replicate, four longs side by side (one cache line holds two replicates). */
  private static final int WHOLE = 0;

  private static final int FRACTION = 1;
  private static final int TOKENS = 2;
  private static final int BYTES = 3;
  private static final int STRIDE = 4;

  private final int replicates;
  private final long[] sums;
  private final ExactSum sampleNll = new ExactSum();
  private long sequences;
  private boolean outOfRange;
  private long sampleTokens;
  private long sampleBytes;

  /**
   * Empty sums.
   *
   * @param replicates the number of bootstrap replicates, at least 0
   */
  public ReplicateSums(int replicates) {
    if (replicates < 0) {
      throw new IllegalArgumentException(
          String.format("Invalid replicates: %d (must be >= 0)", replicates));
    }
    this.replicates = replicates;
    this.sums = new long[replicates * STRIDE];
  }

  /**
   * Adds a sequence with its weight in each replicate ({@link PoissonWeights#weights}).
   *
   * @param weights one weight per replicate, each 0 to {@link PoissonWeights#MAX_WEIGHT}
   * @param nllSum the sequence's NLL in nats; finite (beyond 2^62 in magnitude, the replicates
   *     become undefined)
   * @param sequenceTokens the sequence's scored tokens
   * @param sequenceBytes the sequence's UTF-8 bytes
   */
  public void add(int[] weights, double nllSum, long sequenceTokens, long sequenceBytes) {
    if (weights.length != replicates) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid weights: %d of them (must be one per replicate, %d)",
              weights.length, replicates));
    }
    if (!Double.isFinite(nllSum)) {
      throw new IllegalArgumentException(
          String.format("Invalid nll_sum: %s (must be finite)", nllSum));
    }
    sampleNll.add(nllSum);
    sampleTokens += sequenceTokens;
    sampleBytes += sequenceBytes;
    sequences++;
    if (Math.abs(nllSum) >= 0x1p62) {
      outOfRange = true;
    }
    if (outOfRange) {
      return;
    }
    double whole = Math.floor(nllSum);
    long w = (long) whole;
    long f = (long) ((nllSum - whole) * 0x1p52);
    // No branch on a zero weight: a third of the weights are 0, at random, and a mispredicted
    // branch costs more than the four multiply-adds it would skip.
    for (int r = 0, at = 0; r < replicates; r++, at += STRIDE) {
      long weight = weights[r];
      long fraction = sums[at + FRACTION] + weight * f;
      sums[at + WHOLE] += weight * w + (fraction >>> FRACTION_BITS);
      sums[at + FRACTION] = fraction & FRACTION_MASK;
      sums[at + TOKENS] += weight * sequenceTokens;
      sums[at + BYTES] += weight * sequenceBytes;
    }
  }

  /**
   * Adds the sums of {@code other}, which is unchanged, into these.
   *
   * @param other sums over the same number of replicates
   */
  public void merge(ReplicateSums other) {
    if (other.replicates != replicates) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot merge replicate sums: %d replicates into %d", other.replicates, replicates));
    }
    long[] o = other.sums;
    for (int at = 0; at < sums.length; at += STRIDE) {
      long fraction = sums[at + FRACTION] + o[at + FRACTION];
      sums[at + WHOLE] += o[at + WHOLE] + (fraction >>> FRACTION_BITS);
      sums[at + FRACTION] = fraction & FRACTION_MASK;
      sums[at + TOKENS] += o[at + TOKENS];
      sums[at + BYTES] += o[at + BYTES];
    }
    sampleNll.merge(other.sampleNll);
    outOfRange |= other.outOfRange;
    sampleTokens += other.sampleTokens;
    sampleBytes += other.sampleBytes;
    sequences += other.sequences;
  }

  /** The number of replicates. */
  public int replicates() {
    return replicates;
  }

  /** The sequences added (unweighted). */
  public long sequences() {
    return sequences;
  }

  /** The sample's NLL sum in nats, summed exactly and rounded once. */
  public double sampleNll() {
    return sampleNll.doubleValue();
  }

  /** The sample's tokens. */
  public long sampleTokens() {
    return sampleTokens;
  }

  /** The sample's bytes. */
  public long sampleBytes() {
    return sampleBytes;
  }

  /** Replicate {@code r}'s weighted NLL sum, in nats; NaN when a value was out of range. */
  public double nll(int r) {
    int at = r * STRIDE;
    return outOfRange ? Double.NaN : sums[at + WHOLE] + sums[at + FRACTION] * UNIT;
  }

  /** Replicate {@code r}'s weighted token count. */
  public long tokens(int r) {
    return sums[r * STRIDE + TOKENS];
  }

  /** Replicate {@code r}'s weighted byte count. */
  public long bytes(int r) {
    return sums[r * STRIDE + BYTES];
  }

  /**
   * The token perplexity of each replicate, {@code exp(sum w nll / sum w tokens)}; NaN for a
   * replicate whose weights are all 0.
   */
  public double[] pplToken() {
    double[] out = new double[replicates];
    for (int r = 0; r < out.length; r++) {
      out[r] = CorpusMetrics.pplToken(nll(r), tokens(r));
    }
    return out;
  }

  /** The mean NLL of each replicate, {@code sum w nll / sum w tokens}; NaN where undefined. */
  public double[] meanNll() {
    double[] out = new double[replicates];
    for (int r = 0; r < out.length; r++) {
      out[r] = CorpusMetrics.meanNll(nll(r), tokens(r));
    }
    return out;
  }

  /**
   * The bits per byte of each replicate, {@code sum w nll / (ln 2 sum w bytes)}; NaN where
   * undefined.
   */
  public double[] bitsPerByte() {
    double[] out = new double[replicates];
    for (int r = 0; r < out.length; r++) {
      out[r] = CorpusMetrics.bitsPerByte(nll(r), bytes(r));
    }
    return out;
  }
}
