package dev.softmetrics.udfs.corpus;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The exact sum of a multiset of doubles, rounded once: {@code doubleValue() = round(sum x_i)}, to
 * the nearest double, ties to even.
 *
 * <p>Why: a {@code double} accumulator gives a total that depends on the order of the additions, so
 * the same corpus summed by differently partitioned Spark tasks, or with partial sums merged in
 * another order, can differ in the last bits. Here the sum is exact until the final rounding, so
 * totals are bit-identical whatever the partitioning and merge order, and never lose small terms
 * against large ones ({@code 1e16 + 1 - 1e16} is {@code 1}).
 *
 * <p>How: a fixed-point superaccumulator. The sum is a two's-complement integer in units of {@code
 * 2^-1074} (the smallest subnormal), so every finite double is an integer of at most 2098 bits. It
 * is held in 67 signed {@code long} chunks of 32 bits each; chunk {@code i} weighs {@code 2^(32 i -
 * 1074)}. {@link #add} splits the 53-bit significand, shifted by its exponent, into the at most
 * three chunks it touches, and adds or subtracts the pieces without carrying. Each piece is below
 * {@code 2^32}, so a chunk absorbs billions of them; carries are propagated every {@code 2^20} adds
 * and before every read or merge, which leaves the chunks below the top in {@code [0, 2^32)} and
 * the sign in the top chunk. The top chunk is only reached by carries and cannot overflow before
 * {@code 2^63} values have been added.
 *
 * <p>Specials: +Infinity, -Infinity and NaN are not added to the chunks but recorded in flags. The
 * result is NaN if any NaN was added or both infinities were; otherwise +Infinity (-Infinity) if
 * any +Infinity (-Infinity) was. A finite sum beyond the double range rounds to the infinity of its
 * sign. An exact zero is {@code +0.0}, even when only {@code -0.0} was added.
 *
 * <p>Cost: {@link #add} is O(1) and allocation-free; {@link #merge} is O(67 chunks); {@link
 * #doubleValue}, {@link #bigDecimalValue}, {@link #equals} and {@link #hashCode} are O(67 chunks)
 * plus, for the first two, {@link BigInteger} arithmetic on about 4600 bits; {@link #doubleValue}
 * then converts through {@link BigDecimal#doubleValue()}, which on Java 17 goes through a decimal
 * string: tens of microseconds, so read a sum once per group, not per row. Not thread-safe (reads
 * propagate carries in place): confine an instance to one thread, as Spark does with aggregation
 * buffers.
 */
public final class ExactSum implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Chunks of 32 bits: 66 cover bits 0..2111 (a finite double needs 0..2097); the 67th, carries.
   */
  private static final int CHUNKS = 67;

  /** Index of the top chunk, which keeps the sign and is never masked to 32 bits. */
  private static final int TOP = CHUNKS - 1;

  /**
   * Adds between carry propagations. Each add moves a chunk by less than {@code 2^32}, so chunks
   * stay below {@code 2^53} in magnitude, far from overflow, even when two buffers are merged.
   */
  private static final int NORMALIZE_EVERY = 1 << 20;

  private static final long LOW_32 = 0xFFFF_FFFFL;
  private static final int EXPONENT_SPECIAL = 0x7FF;
  private static final long SIGNIFICAND_MASK = (1L << 52) - 1;
  private static final long HIDDEN_BIT = 1L << 52;
  private static final int SCALE = 1074;

  /**
   * {@code 2^-1074 = 5^1074 * 10^-1074}: a BigDecimal's scale counts decimal, not binary, places.
   */
  private static final BigInteger FIVE_POW_SCALE = BigInteger.valueOf(5).pow(SCALE);

  private final long[] chunks = new long[CHUNKS];
  private int pendingAdds;
  private long count;
  private boolean sawNaN;
  private boolean sawPositiveInfinity;
  private boolean sawNegativeInfinity;

  /** Creates an empty sum: value {@code 0.0}, count 0. */
  public ExactSum() {}

  /**
   * Adds one value exactly. O(1), no allocation.
   *
   * @param value any double; NaN and infinities are recorded as described in the class Javadoc
   */
  public void add(double value) {
    count++;
    long bits = Double.doubleToRawLongBits(value);
    int exponent = (int) (bits >>> 52) & EXPONENT_SPECIAL;
    if (exponent == EXPONENT_SPECIAL) {
      recordSpecial(value);
      return;
    }
    long significand = bits & SIGNIFICAND_MASK;
    // value = significand * 2^(shift - 1074); subnormals (exponent 0) have no hidden bit.
    int shift = 0;
    if (exponent != 0) {
      significand |= HIDDEN_BIT;
      shift = exponent - 1;
    }
    int index = shift >>> 5;
    int offset = shift & 31;
    // The significand shifted by offset spans at most 84 bits: three 32-bit pieces.
    long low = (significand << offset) & LOW_32;
    long middle = (significand >>> (32 - offset)) & LOW_32;
    long high = (significand >>> 32) >>> (32 - offset);
    long sign = bits >> 63; // 0 or -1: (x ^ sign) - sign is x or -x
    chunks[index] += (low ^ sign) - sign;
    chunks[index + 1] += (middle ^ sign) - sign;
    chunks[index + 2] += (high ^ sign) - sign;
    if (++pendingAdds >= NORMALIZE_EVERY) {
      normalize();
    }
  }

  /**
   * Adds {@code value * times} exactly, as one value: the product is split into its rounded value
   * and the rounding error ({@code Math.fma}), both doubles, whose sum is the exact product because
   * it is a multiple of the smallest subnormal. O(1), no allocation. Used to pool per-sequence
   * means back into per-token sums: {@code mean * tokens}.
   *
   * @param value any double; NaN and infinities are recorded as by {@link #add}
   * @param times how many times, in {@code [0, 2^53]}
   * @throws IllegalArgumentException if {@code times} is out of range
   */
  public void addTimes(double value, long times) {
    if (times < 0 || times > (1L << 53)) {
      throw new IllegalArgumentException(
          "Invalid times: " + times + " (must be in [0, 2^53] so that it is exact as a double)");
    }
    double t = times;
    double product = value * t;
    if (!Double.isFinite(product)) {
      add(product);
      return;
    }
    add(product);
    count--;
    add(Math.fma(value, t, -product));
  }

  /**
   * Adds the exact total (and the specials and count) of {@code other} into this sum; {@code other}
   * keeps its value. O(67 chunks), no allocation. Merging a sum into itself doubles it.
   *
   * @param other the sum to add; not null
   */
  public void merge(ExactSum other) {
    long[] otherChunks = other.chunks;
    for (int i = 0; i < CHUNKS; i++) {
      chunks[i] += otherChunks[i];
    }
    count += other.count;
    sawNaN |= other.sawNaN;
    sawPositiveInfinity |= other.sawPositiveInfinity;
    sawNegativeInfinity |= other.sawNegativeInfinity;
    normalize();
  }

  /**
   * The exact sum of all values added, rounded once to the nearest double, ties to even. Specials
   * as in the class Javadoc; a finite sum beyond {@link Double#MAX_VALUE} after rounding gives the
   * infinity of its sign; an exact zero gives {@code +0.0}, and an empty sum gives {@code 0.0}.
   * Costs {@link #bigDecimalValue} plus {@link BigDecimal#doubleValue()}, which rounds correctly
   * (the tests check it on hand-made halfway cases).
   *
   * @return the correctly rounded sum
   */
  public double doubleValue() {
    if (sawNaN || (sawPositiveInfinity && sawNegativeInfinity)) {
      return Double.NaN;
    }
    if (sawPositiveInfinity) {
      return Double.POSITIVE_INFINITY;
    }
    if (sawNegativeInfinity) {
      return Double.NEGATIVE_INFINITY;
    }
    return bigDecimalValue().doubleValue();
  }

  /**
   * The exact sum of the finite values added, unrounded; infinities and NaN are not part of it (see
   * {@link #doubleValue}). Meant for tests and debugging. O(67 chunks) plus one product of {@link
   * BigInteger}s.
   *
   * @return the exact finite sum, with scale 1074
   */
  public BigDecimal bigDecimalValue() {
    normalize();
    // Big-endian two's complement: the signed top chunk, then the 32-bit chunks below it.
    byte[] bytes = new byte[Long.BYTES + TOP * Integer.BYTES];
    long top = chunks[TOP];
    for (int b = 0; b < Long.BYTES; b++) {
      bytes[b] = (byte) (top >>> (8 * (Long.BYTES - 1 - b)));
    }
    for (int i = TOP - 1, at = Long.BYTES; i >= 0; i--, at += Integer.BYTES) {
      int chunk = (int) chunks[i];
      bytes[at] = (byte) (chunk >>> 24);
      bytes[at + 1] = (byte) (chunk >>> 16);
      bytes[at + 2] = (byte) (chunk >>> 8);
      bytes[at + 3] = (byte) chunk;
    }
    return new BigDecimal(new BigInteger(bytes).multiply(FIVE_POW_SCALE), SCALE);
  }

  /**
   * How many values were added, specials included, counting those added to merged sums.
   *
   * @return the number of values
   */
  public long count() {
    return count;
  }

  /**
   * An independent sum with the same value, specials and count. O(67 chunks).
   *
   * @return a new sum
   */
  public ExactSum copy() {
    ExactSum copy = new ExactSum();
    copy.merge(this);
    return copy;
  }

  /**
   * Equal when the exact finite sums, the specials seen and the counts are equal, so that every
   * accessor agrees; the order of the additions and merges does not matter. Carries in both sums
   * are propagated first (their values do not change). O(67 chunks).
   *
   * @param o another object
   * @return whether {@code o} is an {@code ExactSum} with the same state
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ExactSum other)) {
      return false;
    }
    normalize();
    other.normalize();
    return count == other.count
        && sawNaN == other.sawNaN
        && sawPositiveInfinity == other.sawPositiveInfinity
        && sawNegativeInfinity == other.sawNegativeInfinity
        && Arrays.equals(chunks, other.chunks);
  }

  /**
   * A hash of the state that {@link #equals} compares. O(67 chunks).
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    normalize();
    int flags = (sawNaN ? 1 : 0) | (sawPositiveInfinity ? 2 : 0) | (sawNegativeInfinity ? 4 : 0);
    return (Arrays.hashCode(chunks) * 31 + Long.hashCode(count)) * 31 + flags;
  }

  /**
   * The rounded value and the count, for logs and test failures. Allocates.
   *
   * @return for example {@code ExactSum[value=1.0, count=3]}
   */
  @Override
  public String toString() {
    return "ExactSum[value=" + doubleValue() + ", count=" + count + "]";
  }

  private void recordSpecial(double value) {
    if (Double.isNaN(value)) {
      sawNaN = true;
    } else if (value > 0) {
      sawPositiveInfinity = true;
    } else {
      sawNegativeInfinity = true;
    }
  }

  /**
   * Propagates carries so chunks below the top are in {@code [0, 2^32)}; the value is unchanged.
   */
  private void normalize() {
    long carry = 0;
    for (int i = 0; i < TOP; i++) {
      long chunk = chunks[i] + carry;
      carry = chunk >> 32;
      chunks[i] = chunk & LOW_32;
    }
    chunks[TOP] += carry;
    pendingAdds = 0;
  }
}
