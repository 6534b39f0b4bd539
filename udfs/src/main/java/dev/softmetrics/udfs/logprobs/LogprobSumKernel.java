package dev.softmetrics.udfs.logprobs;

import dev.softmetrics.udfs.Rejection;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Sums the per-token log-probabilities of each row into a token count and a negative
 * log-likelihood, and rejects the rows that cannot be scored.
 *
 * <p>For a row with log-probs {@code l_1..l_T}: {@code tokens = T} and {@code nll_sum = -sum_t l_t}
 * in nats, accumulated in double (float elements are widened exactly). The list's child must be a
 * {@link Float4Vector} ({@code list<float>}) or a {@link Float8Vector} ({@code list<double>}).
 *
 * <p>The first token of a sequence has no context, and engines that score a prompt (vLLM's {@code
 * prompt_logprobs}) give it no log-prob: a null there. With {@code skipNullFirst}, a null at
 * position 0 marks that unconditioned token, which is left out of the sum and the count; the row's
 * scored tokens are then its positions {@code 1..T-1} ({@link #firstScored}).
 */
public final class LogprobSumKernel {

  private static final long OFFSET_WIDTH = ListVector.OFFSET_WIDTH;
  private static final long FLOAT4_WIDTH = Float4Vector.TYPE_WIDTH;
  private static final long FLOAT8_WIDTH = Float8Vector.TYPE_WIDTH;

  private LogprobSumKernel() {}

  /**
   * Writes {@code tokens[i] = T} and {@code nllSum[i] = -sum_t l_t} for each scored row {@code i}
   * in {@code [0, logprobs.getValueCount())}, and the reason in {@code status[i]} for each rejected
   * row.
   *
   * <p>Null handling and rejections, in this order of precedence:
   *
   * <ul>
   *   <li>a non-zero {@code status[i]} already set by an earlier kernel is kept (the first reason
   *       wins); a null {@code status[i]} counts as {@link Rejection#SCORED};
   *   <li>a null row is {@link Rejection#MISSING_LOGPROBS};
   *   <li>an empty list is {@link Rejection#EMPTY_LOGPROBS};
   *   <li>a null element is {@link Rejection#NULL_LOGPROB};
   *   <li>a NaN, +Infinity or -Infinity element is {@link Rejection#NON_FINITE_LOGPROB};
   *   <li>an element {@code > positiveTolerance} is {@link Rejection#POSITIVE_LOGPROB} (a
   *       log-probability is at most 0; the tolerance absorbs rounding such as {@code 1e-7}).
   * </ul>
   *
   * A rejected row gets null {@code tokens} and {@code nllSum}; a scored row gets {@code status[i]
   * = SCORED}. Should the sum of finite elements overflow the double range, the row is scored with
   * an infinite {@code nllSum}.
   *
   * <p>The sum uses four independent double accumulators, element {@code k} of the row going to
   * accumulator {@code k mod 4}, combined as {@code (a0 + a1) + (a2 + a3)}: the result depends only
   * on the row's values, never on the batch or the machine.
   *
   * <p>Ownership: the caller owns and allocates every vector. {@code status} must already have
   * {@code logprobs.getValueCount()} values; {@code tokens} and {@code nllSum} are written with
   * {@code setSafe}/{@code setNull} (so they may grow) and all three get value count {@code n}.
   * Nothing is retained.
   *
   * <p>Cost: one pass over the offsets and the child's data buffer, O(n + total elements), no
   * boxing and no allocation per row or element. The child's validity is only read when {@code
   * child.getNullCount() > 0}; a rejected row is scanned a second time to classify it.
   *
   * @param logprobs the {@code token_logprobs} column: a list of float or double
   * @param positiveTolerance the largest log-prob accepted; finite and {@code >= 0}
   * @param tokens output: the number of scored tokens per row
   * @param nllSum output: the summed negative log-likelihood per row, in nats
   * @param status input and output: {@link Rejection#SCORED} or a {@link Rejection#id()}
   * @throws IllegalArgumentException if the child is neither a {@link Float4Vector} nor a {@link
   *     Float8Vector}, the tolerance is negative or not finite, or {@code status} has another value
   *     count
   */
  public static void apply(
      ListVector logprobs,
      double positiveTolerance,
      BigIntVector tokens,
      Float8Vector nllSum,
      IntVector status) {
    apply(logprobs, positiveTolerance, false, tokens, nllSum, status);
  }

  /**
   * As {@link #apply(ListVector, double, BigIntVector, Float8Vector, IntVector)}, and with {@code
   * skipNullFirst} a null at position 0 of a row is its unconditioned first token: not scored, not
   * counted in {@code tokens}, not a rejection. A null at any other position is still {@link
   * Rejection#NULL_LOGPROB}, and a row whose only element is that null has no scored token ({@link
   * Rejection#EMPTY_LOGPROBS}). Rows without a null at position 0 are scored from position 0.
   *
   * <p>Cost: as above; the start of a row moves by one, no copy and no allocation.
   *
   * @param skipNullFirst leave a null first element out instead of rejecting the row
   */
  public static void apply(
      ListVector logprobs,
      double positiveTolerance,
      boolean skipNullFirst,
      BigIntVector tokens,
      Float8Vector nllSum,
      IntVector status) {
    checkTolerance(positiveTolerance);
    FieldVector child = logprobs.getDataVector();
    boolean floats = isFloat4(logprobs);
    int n = logprobs.getValueCount();
    if (status.getValueCount() != n) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid status vector %s: %d values (must have the %d values of %s)",
              status.getName(), status.getValueCount(), n, logprobs.getName()));
    }
    ArrowBuf offsets = logprobs.getOffsetBuffer();
    ArrowBuf data = child.getDataBuffer();
    checkElements(logprobs, floats);
    boolean childHasNulls = child.getNullCount() > 0;
    RowSum rowSum = new RowSum();
    for (int i = 0; i < n; i++) {
      int rejection = status.isNull(i) ? Rejection.SCORED : status.get(i);
      int length = 0;
      if (rejection == Rejection.SCORED) {
        if (logprobs.isNull(i)) {
          rejection = Rejection.MISSING_LOGPROBS.id();
        } else {
          int start = offsets.getInt(i * OFFSET_WIDTH);
          int end = offsets.getInt((i + 1) * OFFSET_WIDTH);
          if (skipNullFirst && childHasNulls && start < end && child.isNull(start)) {
            start++;
          }
          length = end - start;
          rejection =
              scoreRow(child, data, floats, childHasNulls, start, end, positiveTolerance, rowSum);
        }
      }
      if (rejection == Rejection.SCORED) {
        tokens.setSafe(i, length);
        nllSum.setSafe(i, -rowSum.sum);
      } else {
        tokens.setNull(i);
        nllSum.setNull(i);
      }
      status.setSafe(i, rejection);
    }
    tokens.setValueCount(n);
    nllSum.setValueCount(n);
    status.setValueCount(n);
  }

  /**
   * The position within a row of its first element that breaks the rule of {@code reason}: a null
   * element for {@link Rejection#NULL_LOGPROB}, NaN or an infinity for {@link
   * Rejection#NON_FINITE_LOGPROB}, a finite value {@code > positiveTolerance} for {@link
   * Rejection#POSITIVE_LOGPROB}. Meant for the error message of a rare rejected row, so that the
   * message names the element its reason is about, whatever else the row holds.
   *
   * <p>Ownership: reads {@code logprobs}, which the caller owns. Cost: O(row length), no
   * allocation.
   *
   * @param logprobs the {@code token_logprobs} column: a list of float or double
   * @param row the row, in {@code [0, logprobs.getValueCount())}
   * @param reason one of the three element-level reasons above
   * @param positiveTolerance the largest log-prob accepted; finite and {@code >= 0}
   * @return the 0-based index within the row, or -1 if the row is null or has no such element
   * @throws IllegalArgumentException if the row is out of range, the reason is not about elements,
   *     the tolerance is invalid or the child is neither a {@link Float4Vector} nor a {@link
   *     Float8Vector}
   */
  public static int firstElementOf(
      ListVector logprobs, int row, Rejection reason, double positiveTolerance) {
    return firstElementOf(logprobs, row, reason, positiveTolerance, false);
  }

  /**
   * As {@link #firstElementOf(ListVector, int, Rejection, double)}, for rows scored with {@code
   * skipNullFirst} ({@link #apply(ListVector, double, boolean, BigIntVector, Float8Vector,
   * IntVector)}): a null at position 0 is then not the element a reason is about. The index is
   * still the position in the whole row.
   */
  public static int firstElementOf(
      ListVector logprobs,
      int row,
      Rejection reason,
      double positiveTolerance,
      boolean skipNullFirst) {
    checkTolerance(positiveTolerance);
    checkRow(logprobs, row);
    if (reason != Rejection.NULL_LOGPROB
        && reason != Rejection.NON_FINITE_LOGPROB
        && reason != Rejection.POSITIVE_LOGPROB) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid reason: %s (must be NULL_LOGPROB, NON_FINITE_LOGPROB or POSITIVE_LOGPROB)",
              reason));
    }
    boolean floats = isFloat4(logprobs);
    if (logprobs.isNull(row)) {
      return -1;
    }
    FieldVector child = logprobs.getDataVector();
    ArrowBuf data = child.getDataBuffer();
    int start = logprobs.getElementStartIndex(row);
    int end = logprobs.getElementEndIndex(row);
    int from = skipNullFirst && start < end && child.isNull(start) ? start + 1 : start;
    for (int j = from; j < end; j++) {
      boolean isNull = child.isNull(j);
      double value = isNull ? Double.NaN : read(data, floats, j);
      boolean breaks =
          switch (reason) {
            case NULL_LOGPROB -> isNull;
            case NON_FINITE_LOGPROB -> !isNull && !Double.isFinite(value);
            default -> !isNull && Double.isFinite(value) && value > positiveTolerance;
          };
      if (breaks) {
        return j - start;
      }
    }
    return -1;
  }

  /**
   * The element at a position of a row, widened to double, for error messages. A null element reads
   * as {@link Double#NaN}; tell it apart with the row's {@link Rejection} or with the child's
   * {@code isNull}.
   *
   * <p>Ownership: reads {@code logprobs}, which the caller owns. Cost: O(1), no allocation.
   *
   * @param logprobs the {@code token_logprobs} column: a list of float or double
   * @param row the row, in {@code [0, logprobs.getValueCount())}; must not be null
   * @param index the position within the row, in {@code [0, row length)}
   * @return the value, exactly widened from float if the child is a {@link Float4Vector}
   * @throws IllegalArgumentException if the row is out of range or null, the index is out of the
   *     row, or the child is neither a {@link Float4Vector} nor a {@link Float8Vector}
   */
  public static double elementAsDouble(ListVector logprobs, int row, int index) {
    checkRow(logprobs, row);
    boolean floats = isFloat4(logprobs);
    if (logprobs.isNull(row)) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot read element %d of row %d of %s: the row is null",
              index, row, logprobs.getName()));
    }
    int start = logprobs.getElementStartIndex(row);
    int length = logprobs.getElementEndIndex(row) - start;
    if (index < 0 || index >= length) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid element index: %d (must be in [0, %d) for row %d of %s)",
              index, length, row, logprobs.getName()));
    }
    FieldVector child = logprobs.getDataVector();
    if (child.isNull(start + index)) {
      return Double.NaN;
    }
    return read(child.getDataBuffer(), floats, start + index);
  }

  /**
   * The position in its row of a scored row's first scored token: 1 when {@link #apply(ListVector,
   * double, boolean, BigIntVector, Float8Vector, IntVector)} left out a null first element, else 0.
   * The optional per-token columns hold one entry per element of the row, and their entries from
   * this position on are the scored tokens'.
   *
   * <p>Ownership: reads the caller's vectors. Cost: O(1), no allocation.
   *
   * @param logprobs the {@code token_logprobs} column the kernel scored
   * @param tokens the kernel's {@code tokens} output; the row must be scored (not null)
   */
  public static int firstScored(ListVector logprobs, BigIntVector tokens, int row) {
    int length = logprobs.getElementEndIndex(row) - logprobs.getElementStartIndex(row);
    return (int) (length - tokens.get(row));
  }

  /** Classifies one non-null row and, if it is valid, leaves its sum in {@code rowSum}. */
  private static int scoreRow(
      FieldVector child,
      ArrowBuf data,
      boolean floats,
      boolean childHasNulls,
      int start,
      int end,
      double positiveTolerance,
      RowSum rowSum) {
    if (start == end) {
      return Rejection.EMPTY_LOGPROBS.id();
    }
    if (childHasNulls && hasNullElement(child, start, end)) {
      return Rejection.NULL_LOGPROB.id();
    }
    rowSum.accumulate(data, floats, start, end);
    // NaN or an infinity anywhere makes the sum non-finite, so one test covers every element;
    // only then is the row scanned again to tell the reason apart from an overflowing sum.
    if (!Double.isFinite(rowSum.sum) && hasNonFiniteElement(data, floats, start, end)) {
      return Rejection.NON_FINITE_LOGPROB.id();
    }
    if (rowSum.max > positiveTolerance) {
      return Rejection.POSITIVE_LOGPROB.id();
    }
    return Rejection.SCORED;
  }

  private static boolean hasNullElement(FieldVector child, int start, int end) {
    for (int j = start; j < end; j++) {
      if (child.isNull(j)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasNonFiniteElement(ArrowBuf data, boolean floats, int start, int end) {
    for (int j = start; j < end; j++) {
      if (!Double.isFinite(read(data, floats, j))) {
        return true;
      }
    }
    return false;
  }

  private static double read(ArrowBuf data, boolean floats, int element) {
    return floats ? data.getFloat(element * FLOAT4_WIDTH) : data.getDouble(element * FLOAT8_WIDTH);
  }

  /**
   * Checks once per batch that every element the offsets point at lies within the child's data
   * buffer, so that the hot loop can read memory without Arrow's per-access check (which cost a
   * quarter of a scoring run's time).
   */
  private static void checkElements(ListVector logprobs, boolean floats) {
    int n = logprobs.getValueCount();
    if (n == 0) {
      return;
    }
    ArrowBuf offsets = logprobs.getOffsetBuffer();
    if (offsets.capacity() < (n + 1L) * OFFSET_WIDTH) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid list vector %s: offset buffer of %d bytes for %d rows",
              logprobs.getName(), offsets.capacity(), n));
    }
    long first = offsets.getInt(0);
    long last = offsets.getInt(n * OFFSET_WIDTH);
    long width = floats ? FLOAT4_WIDTH : FLOAT8_WIDTH;
    long capacity = logprobs.getDataVector().getDataBuffer().capacity();
    boolean monotonic = true;
    for (int i = 0; i < n && monotonic; i++) {
      monotonic = offsets.getInt(i * OFFSET_WIDTH) <= offsets.getInt((i + 1) * OFFSET_WIDTH);
    }
    if (first < 0 || !monotonic || last * width > capacity) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid list vector %s: offsets [%d, %d] (must be non-decreasing and within the %d"
                  + " bytes of its data buffer)",
              logprobs.getName(), first, last, capacity));
    }
  }

  /** Element {@code element} of a checked data buffer, widened to double. */
  private static double readUnchecked(long address, boolean floats, int element) {
    return floats
        ? Float.intBitsToFloat(MemoryUtil.getInt(address + element * FLOAT4_WIDTH))
        : Double.longBitsToDouble(MemoryUtil.getLong(address + element * FLOAT8_WIDTH));
  }

  private static boolean isFloat4(ListVector logprobs) {
    FieldVector child = logprobs.getDataVector();
    if (child instanceof Float4Vector) {
      return true;
    }
    if (child instanceof Float8Vector) {
      return false;
    }
    throw new IllegalArgumentException(
        String.format(
            "Invalid child vector of %s: %s of type %s (must be a Float4Vector or a Float8Vector)",
            logprobs.getName(), child.getClass().getSimpleName(), child.getMinorType()));
  }

  private static void checkTolerance(double positiveTolerance) {
    if (!Double.isFinite(positiveTolerance) || positiveTolerance < 0) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid positiveTolerance: %s (must be finite and >= 0)", positiveTolerance));
    }
  }

  private static void checkRow(ListVector logprobs, int row) {
    if (row < 0 || row >= logprobs.getValueCount()) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid row: %d (must be in [0, %d) for %s)",
              row, logprobs.getValueCount(), logprobs.getName()));
    }
  }

  /** The sum and maximum of one row; one instance per batch so that rows allocate nothing. */
  private static final class RowSum {
    private double sum;
    private double max;

    /**
     * Element {@code k} of the row goes to accumulator {@code k mod 4}. NaN never wins a
     * comparison, so it does not reach {@code max}; the caller catches it through {@code sum}.
     */
    void accumulate(ArrowBuf data, boolean floats, int start, int end) {
      // floats is loop-invariant, so the JIT can unswitch the loop into one per element type.
      long address = data.memoryAddress();
      double a0 = 0;
      double a1 = 0;
      double a2 = 0;
      double a3 = 0;
      double m0 = Double.NEGATIVE_INFINITY;
      double m1 = Double.NEGATIVE_INFINITY;
      double m2 = Double.NEGATIVE_INFINITY;
      double m3 = Double.NEGATIVE_INFINITY;
      int j = start;
      for (int quadEnd = start + ((end - start) & ~3); j < quadEnd; j += 4) {
        double v0 = readUnchecked(address, floats, j);
        double v1 = readUnchecked(address, floats, j + 1);
        double v2 = readUnchecked(address, floats, j + 2);
        double v3 = readUnchecked(address, floats, j + 3);
        a0 += v0;
        a1 += v1;
        a2 += v2;
        a3 += v3;
        m0 = v0 > m0 ? v0 : m0;
        m1 = v1 > m1 ? v1 : m1;
        m2 = v2 > m2 ? v2 : m2;
        m3 = v3 > m3 ? v3 : m3;
      }
      if (j < end) {
        double v = readUnchecked(address, floats, j);
        a0 += v;
        m0 = v > m0 ? v : m0;
      }
      if (j + 1 < end) {
        double v = readUnchecked(address, floats, j + 1);
        a1 += v;
        m1 = v > m1 ? v : m1;
      }
      if (j + 2 < end) {
        double v = readUnchecked(address, floats, j + 2);
        a2 += v;
        m2 = v > m2 ? v : m2;
      }
      sum = (a0 + a1) + (a2 + a3);
      max = Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }
  }
}
