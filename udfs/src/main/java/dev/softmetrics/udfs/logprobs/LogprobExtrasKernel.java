package dev.softmetrics.udfs.logprobs;

import dev.softmetrics.udfs.Rejection;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Per-sequence sums from the log-prob layout's optional columns (METRICS.md): engine-computed token
 * entropies, a reference model's log-probs of the sampled tokens (the k1, k2, k3 estimators of
 * KL(pi || pi_ref)), and top-k log-probs with the vocabulary size (bounds on the true entropy).
 *
 * <p>Every method works on the rows {@link LogprobSumKernel} scored: a row whose {@code status} is
 * not {@link Rejection#SCORED}, or whose {@code tokens} is null, gets null outputs and keeps its
 * status. A row whose optional list is null has no such metric (null outputs, still scored). A list
 * that does not hold one entry per token, or holds invalid values, rejects the row with the reason
 * of its column, so that a row is never scored with a silently wrong extra. The outputs are sums
 * over the row's tokens, in double; the job divides them by the token count (per sequence) or by
 * the pooled token count of the rows that have them (per corpus group).
 *
 * <p>Lists are {@code list<float>} or {@code list<double>} ({@code top_logprobs}: a list of such
 * lists). Ownership: the caller owns and allocates every vector; outputs are written with {@code
 * setSafe}/{@code setNull} and get the input's value count. Cost: one pass over the elements, no
 * allocation.
 *
 * <p>When the sum kernel left out a null first element (an unconditioned first token, {@link
 * LogprobSumKernel#firstScored}), give it the {@code token_logprobs} column: each optional list
 * must still hold one entry per element of {@code token_logprobs}, and its entry at position 0 is
 * dropped with that token, whatever it holds. Where {@code token_logprobs[0]} is scored, the
 * optional entry at 0 is checked like any other.
 */
public final class LogprobExtrasKernel {
  private LogprobExtrasKernel() {}

  /**
   * {@code entropySum[i] = sum_t H_t} from {@code token_entropies}. An element that is null, NaN,
   * infinite or below {@code -tolerance} rejects the row ({@link Rejection#INVALID_TOKEN_ENTROPY}).
   */
  public static void entropies(
      ListVector entropies,
      BigIntVector tokens,
      double tolerance,
      Float8Vector entropySum,
      IntVector status) {
    entropies(null, entropies, tokens, tolerance, entropySum, status);
  }

  /**
   * As {@link #entropies(ListVector, BigIntVector, double, Float8Vector, IntVector)}, over the
   * scored tokens of {@code logprobs} (null: every row scored from position 0).
   */
  public static void entropies(
      ListVector logprobs,
      ListVector entropies,
      BigIntVector tokens,
      double tolerance,
      Float8Vector entropySum,
      IntVector status) {
    int n = rows(entropies, tokens, status);
    FieldVector child = entropies.getDataVector();
    for (int i = 0; i < n; i++) {
      entropySum.setNull(i);
      if (!scoring(status, tokens, i) || entropies.isNull(i)) {
        continue;
      }
      int first = first(logprobs, tokens, i);
      int start = entropies.getElementStartIndex(i);
      int end = entropies.getElementEndIndex(i);
      if (end - start != tokens.get(i) + first) {
        status.set(i, Rejection.EXTRA_LENGTH_MISMATCH.id());
        continue;
      }
      start += first;
      double sum = 0;
      boolean valid = true;
      for (int j = start; j < end && valid; j++) {
        double h = child.isNull(j) ? Double.NaN : element(child, j);
        valid = Double.isFinite(h) && h >= -tolerance;
        sum += h;
      }
      if (valid) {
        entropySum.setSafe(i, sum);
      } else {
        status.set(i, Rejection.INVALID_TOKEN_ENTROPY.id());
      }
    }
    entropySum.setValueCount(n);
  }

  /**
   * The sums over the row's tokens of k1 = -d, k2 = d^2 / 2 and k3 = exp(d) - 1 - d, with d = log
   * pi_ref(x_t) - log pi(x_t) from {@code ref_logprobs} and {@code token_logprobs}; k3 is computed
   * as {@code expm1(d) - d}, exact for small d. A reference log-prob of -Infinity (the reference
   * never samples the token) makes the three sums +Infinity. A reference element that is null, NaN,
   * +Infinity or above {@code tolerance} rejects the row ({@link Rejection#INVALID_REF_LOGPROB}).
   */
  public static void referenceKl(
      ListVector logprobs,
      ListVector refLogprobs,
      BigIntVector tokens,
      double tolerance,
      Float8Vector k1Sum,
      Float8Vector k2Sum,
      Float8Vector k3Sum,
      IntVector status) {
    int n = rows(refLogprobs, tokens, status);
    FieldVector ref = refLogprobs.getDataVector();
    FieldVector own = logprobs.getDataVector();
    for (int i = 0; i < n; i++) {
      k1Sum.setNull(i);
      k2Sum.setNull(i);
      k3Sum.setNull(i);
      if (!scoring(status, tokens, i) || refLogprobs.isNull(i)) {
        continue;
      }
      int first = LogprobSumKernel.firstScored(logprobs, tokens, i);
      int start = refLogprobs.getElementStartIndex(i);
      int end = refLogprobs.getElementEndIndex(i);
      if (end - start != tokens.get(i) + first) {
        status.set(i, Rejection.EXTRA_LENGTH_MISMATCH.id());
        continue;
      }
      start += first;
      int ownStart = logprobs.getElementStartIndex(i) + first;
      double k1 = 0;
      double k2 = 0;
      double k3 = 0;
      boolean valid = true;
      for (int j = 0; j < end - start && valid; j++) {
        double r = ref.isNull(start + j) ? Double.NaN : element(ref, start + j);
        valid = !Double.isNaN(r) && r <= tolerance;
        double d = r - element(own, ownStart + j);
        k1 -= d;
        k2 += d * d / 2;
        k3 += d == Double.NEGATIVE_INFINITY ? Double.POSITIVE_INFINITY : Math.expm1(d) - d;
      }
      if (valid) {
        k1Sum.setSafe(i, k1);
        k2Sum.setSafe(i, k2);
        k3Sum.setSafe(i, k3);
      } else {
        status.set(i, Rejection.INVALID_REF_LOGPROB.id());
      }
    }
    k1Sum.setValueCount(n);
    k2Sum.setValueCount(n);
    k3Sum.setValueCount(n);
  }

  /**
   * The sums over the row's positions of the lower and upper bounds of the true entropy given the
   * top-k log-probs {@code l_1..l_k} of each position (any order) and the vocabulary size V: with
   * p_i = exp(l_i), tail mass m = max(0, 1 - sum_i p_i) and H_k = -sum_i p_i l_i, the entropy lies
   * in [H_k - m ln min(p_min, m), H_k + m ln((V - k) / m)], p_min the smallest top-k probability; a
   * term with m = 0 is 0, and when k = V the tail is empty (m is rounding, taken as 0).
   *
   * <p>A position whose list is null or empty, holds a null, NaN, +Infinity or an element above
   * {@code tolerance}, has more than V entries, or whose probabilities sum above {@code 1 +
   * tolerance}; or a row without a positive V: the row is rejected ({@link
   * Rejection#INVALID_TOP_LOGPROBS}).
   *
   * @param vocabSize an {@link IntVector} or {@link BigIntVector}
   */
  public static void topKEntropyBounds(
      ListVector topLogprobs,
      FieldVector vocabSize,
      BigIntVector tokens,
      double tolerance,
      Float8Vector lowerSum,
      Float8Vector upperSum,
      IntVector status) {
    topKEntropyBounds(null, topLogprobs, vocabSize, tokens, tolerance, lowerSum, upperSum, status);
  }

  /**
   * As {@link #topKEntropyBounds(ListVector, FieldVector, BigIntVector, double, Float8Vector,
   * Float8Vector, IntVector)}, over the scored tokens of {@code logprobs} (null: every row scored
   * from position 0).
   */
  public static void topKEntropyBounds(
      ListVector logprobs,
      ListVector topLogprobs,
      FieldVector vocabSize,
      BigIntVector tokens,
      double tolerance,
      Float8Vector lowerSum,
      Float8Vector upperSum,
      IntVector status) {
    int n = rows(topLogprobs, tokens, status);
    if (!(topLogprobs.getDataVector() instanceof ListVector positions)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid child vector of %s: %s (must be a list of float or double lists)",
              topLogprobs.getName(), topLogprobs.getDataVector().getMinorType()));
    }
    FieldVector values = positions.getDataVector();
    for (int i = 0; i < n; i++) {
      lowerSum.setNull(i);
      upperSum.setNull(i);
      if (!scoring(status, tokens, i) || topLogprobs.isNull(i)) {
        continue;
      }
      int skipped = first(logprobs, tokens, i);
      int start = topLogprobs.getElementStartIndex(i);
      int end = topLogprobs.getElementEndIndex(i);
      if (end - start != tokens.get(i) + skipped) {
        status.set(i, Rejection.EXTRA_LENGTH_MISMATCH.id());
        continue;
      }
      start += skipped;
      long vocab = vocabSize.isNull(i) ? -1 : count(vocabSize, i);
      double lower = 0;
      double upper = 0;
      boolean valid = vocab > 0;
      for (int pos = start; pos < end && valid; pos++) {
        if (positions.isNull(pos)) {
          valid = false;
          break;
        }
        int first = positions.getElementStartIndex(pos);
        int last = positions.getElementEndIndex(pos);
        int k = last - first;
        valid = k > 0 && k <= vocab;
        double mass = 0;
        double truncated = 0;
        double smallest = Double.POSITIVE_INFINITY;
        for (int j = first; j < last && valid; j++) {
          double l = values.isNull(j) ? Double.NaN : element(values, j);
          valid = !Double.isNaN(l) && l <= tolerance;
          double p = Math.exp(l);
          mass += p;
          smallest = Math.min(smallest, p);
          if (p > 0) {
            truncated -= p * l;
          }
        }
        valid = valid && mass <= 1 + tolerance;
        double tail = k == vocab ? 0 : Math.max(0, 1 - mass);
        double floor = smallest > 0 ? Math.min(smallest, tail) : tail;
        lower += tail == 0 ? truncated : truncated - tail * Math.log(floor);
        upper += tail == 0 ? truncated : truncated + tail * Math.log((vocab - k) / tail);
      }
      if (valid) {
        lowerSum.setSafe(i, lower);
        upperSum.setSafe(i, upper);
      } else {
        status.set(i, Rejection.INVALID_TOP_LOGPROBS.id());
      }
    }
    lowerSum.setValueCount(n);
    upperSum.setValueCount(n);
  }

  private static int rows(ListVector list, BigIntVector tokens, IntVector status) {
    int n = list.getValueCount();
    if (tokens.getValueCount() != n || status.getValueCount() != n) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid vectors for %s: %d rows, tokens %d, status %d (must be equal)",
              list.getName(), n, tokens.getValueCount(), status.getValueCount()));
    }
    return n;
  }

  /** The row's first scored position: 0 without {@code logprobs}. */
  private static int first(ListVector logprobs, BigIntVector tokens, int row) {
    return logprobs == null ? 0 : LogprobSumKernel.firstScored(logprobs, tokens, row);
  }

  private static boolean scoring(IntVector status, BigIntVector tokens, int row) {
    return (status.isNull(row) || status.get(row) == Rejection.SCORED) && !tokens.isNull(row);
  }

  private static double element(FieldVector child, int index) {
    if (child instanceof Float4Vector floats) {
      return floats.get(index);
    }
    if (child instanceof Float8Vector doubles) {
      return doubles.get(index);
    }
    throw new IllegalArgumentException(
        String.format(
            "Invalid element vector %s: %s (must be float or double)",
            child.getName(), child.getMinorType()));
  }

  private static long count(FieldVector vector, int row) {
    if (vector instanceof IntVector ints) {
      return ints.get(row);
    }
    if (vector instanceof BigIntVector longs) {
      return longs.get(row);
    }
    throw new IllegalArgumentException(
        String.format(
            "Invalid vocab_size vector %s: %s (must be int or long)",
            vector.getName(), vector.getMinorType()));
  }
}
