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
 * <p>Cost: 32 bytes per replicate, in four arrays (whole nats, fractions, tokens, bytes) that
 * {@link #add} runs through side by side: four multiply-adds per replicate, no branch, and no
 * dependence between replicates, since the fractions' carries into the whole nats are taken only
 * every {@link #CARRY_EVERY} additions (and before any read or merge), which the fraction range
 * allows without overflow and which gives the same bits as carrying at every addition. {@link
 * #merge} is O(R). Not thread-safe.
 */
public final class ReplicateSums implements Serializable {
  private static final long serialVersionUID = 2L;

  private static final int FRACTION_BITS = 52;
  private static final long FRACTION_MASK = (1L << FRACTION_BITS) - 1;
  private static final double UNIT = 0x1p-52;

  /**
   * Additions a fraction can take between carries: each adds less than {@code (MAX_WEIGHT + 1) *
   * 2^52} to a value below {@code 2^52}, and the sum must stay below {@code 2^63}.
   */
  static final int CARRY_EVERY =
      (int)
          ((Long.MAX_VALUE - FRACTION_MASK) / ((PoissonWeights.MAX_WEIGHT + 1L) << FRACTION_BITS));

  private final int replicates;
  // Per replicate: whole nats, and 2^-52 units not yet carried into them (below 2^63).
  private final long[] whole;
  private final long[] fraction;
  private final long[] tokens;
  private final long[] bytes;
  private int uncarried;
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
    this.whole = new long[replicates];
    this.fraction = new long[replicates];
    this.tokens = new long[replicates];
    this.bytes = new long[replicates];
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
    if (!addSample(nllSum, sequenceTokens, sequenceBytes)) {
      return;
    }
    double floor = Math.floor(nllSum);
    long w = (long) floor;
    long f = (long) ((nllSum - floor) * 0x1p52);
    // No branch on a zero weight: a third of the weights are 0, at random, and a mispredicted
    // branch costs more than the four multiply-adds it would skip.
    for (int r = 0; r < replicates; r++) {
      long weight = weights[r];
      whole[r] += weight * w;
      fraction[r] += weight * f;
      tokens[r] += weight * sequenceTokens;
      bytes[r] += weight * sequenceBytes;
    }
  }

  /**
   * Adds a sequence with its Poisson weights drawn from its key: the same sums as {@link #add} with
   * {@link PoissonWeights#weights}{@code (key, ...)}, without the weights array, and with the
   * Vector API where the JVM has it (several replicates per step; see {@code VectorDraws}).
   *
   * @param key the sequence's {@link PoissonWeights#sequenceKey}
   * @param nllSum the sequence's NLL in nats; finite
   * @param sequenceTokens the sequence's scored tokens
   * @param sequenceBytes the sequence's UTF-8 bytes
   */
  public void addDrawn(long key, double nllSum, long sequenceTokens, long sequenceBytes) {
    if (!addSample(nllSum, sequenceTokens, sequenceBytes)) {
      return;
    }
    double floor = Math.floor(nllSum);
    long w = (long) floor;
    long f = (long) ((nllSum - floor) * 0x1p52);
    int from = 0;
    if (BootstrapVectors.AVAILABLE) {
      VectorDraws.add(
          key, w, f, sequenceTokens, sequenceBytes, whole, fraction, tokens, bytes, replicates);
      from = VectorDraws.bound(replicates);
    }
    for (int r = from; r < replicates; r++) {
      long weight = PoissonWeights.weight(key, r);
      whole[r] += weight * w;
      fraction[r] += weight * f;
      tokens[r] += weight * sequenceTokens;
      bytes[r] += weight * sequenceBytes;
    }
  }

  /**
   * Adds a sequence to the sample's own sums, and readies the replicates for one more addition;
   * false when the replicates are out of range (no more additions to them).
   */
  private boolean addSample(double nllSum, long sequenceTokens, long sequenceBytes) {
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
      return false;
    }
    if (uncarried == CARRY_EVERY) {
      carry();
    }
    uncarried++;
    return true;
  }

  /** Moves the whole nats out of the fractions, leaving each below 2^52. */
  private void carry() {
    for (int r = 0; r < replicates; r++) {
      whole[r] += fraction[r] >>> FRACTION_BITS;
      fraction[r] &= FRACTION_MASK;
    }
    uncarried = 0;
  }

  /**
   * Adds the sums of {@code other} (whose values are unchanged) into these.
   *
   * @param other sums over the same number of replicates
   */
  public void merge(ReplicateSums other) {
    if (other.replicates != replicates) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot merge replicate sums: %d replicates into %d", other.replicates, replicates));
    }
    carry();
    other.carry();
    for (int r = 0; r < replicates; r++) {
      long sum = fraction[r] + other.fraction[r];
      whole[r] += other.whole[r] + (sum >>> FRACTION_BITS);
      fraction[r] = sum & FRACTION_MASK;
      tokens[r] += other.tokens[r];
      bytes[r] += other.bytes[r];
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
    if (outOfRange) {
      return Double.NaN;
    }
    long f = fraction[r];
    return (whole[r] + (f >>> FRACTION_BITS)) + (f & FRACTION_MASK) * UNIT;
  }

  /** Replicate {@code r}'s weighted token count. */
  public long tokens(int r) {
    return tokens[r];
  }

  /** Replicate {@code r}'s weighted byte count. */
  public long bytes(int r) {
    return bytes[r];
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
