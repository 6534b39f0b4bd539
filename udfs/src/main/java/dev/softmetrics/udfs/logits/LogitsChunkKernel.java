package dev.softmetrics.udfs.logits;

import dev.softmetrics.udfs.Rejection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Scores the rows of the logits layout (CONTRACT.md): each row is a chunk of consecutive positions
 * of a sequence, with the target token of each position, the model's logits over the vocabulary at
 * each position and, optionally, a reference model's logits at the same positions. For every row it
 * writes the sums over the chunk's positions of the NLL of the target, the entropy of the model's
 * distribution and, with a reference, KL(P_ref || Q), KL(Q || P_ref) and the cross-entropy H(P_ref,
 * Q) (definitions in {@link SoftmaxKernel}); the job combines the chunks of a sequence and divides
 * by its token count.
 *
 * <p>Logits come in three forms, the same for {@code logits} and {@code ref_logits} of a batch:
 *
 * <ul>
 *   <li>a binary blob ({@link VarBinaryVector}) of {@code positions x vocab_size} little-endian
 *       elements of the row's {@code logits_dtype} (float32, float16 or bfloat16, decoded exactly);
 *   <li>a flat {@code list<float>} of {@code positions x vocab_size} values, row-major;
 *   <li>a {@code list<list<float>>}, one list of {@code vocab_size} values per position ({@code
 *       vocab_size} may then be absent; when present it must agree).
 * </ul>
 *
 * <p>Memory: one position's logits are decoded at a time into a float array of the vocabulary size,
 * reused across positions, rows and batches (two with a reference); a chunk is never expanded
 * whole, so any chunk the reader can hold is scored in O(V) extra memory. No allocation per element
 * or position; a binary row makes one small buffer view.
 *
 * <p>Validation: a row whose {@code status} is already non-zero is skipped (null outputs). A row
 * whose inputs are malformed gets the {@link Rejection} of its first problem and null outputs:
 * {@link Rejection#MISSING_TARGET_IDS}, {@link Rejection#INVALID_TARGET_ID}, {@link
 * Rejection#MISSING_LOGITS}, {@link Rejection#INVALID_LOGITS_DTYPE}, {@link
 * Rejection#INVALID_VOCAB_SIZE}, {@link Rejection#INVALID_LOGITS_SHAPE}, {@link
 * Rejection#INVALID_LOGIT}, {@link Rejection#TARGET_PROBABILITY_ZERO}, {@link
 * Rejection#INVALID_REF_LOGITS}. {@code problemAt} then holds the position within the chunk where
 * the problem lies (-1 when it concerns the whole row), so that a message can name it. A row with a
 * null {@code ref_logits} is scored without the reference sums (null).
 *
 * <p>Not thread-safe: one instance per task.
 */
public final class LogitsChunkKernel {
  private final SoftmaxDefinitions softmax;
  private final PositionMetrics position = new PositionMetrics();
  private final Source model = new Source();
  private final Source reference = new Source();
  private PositionOutput perPosition;

  /** A kernel computing each position with {@code softmax} (see {@link SoftmaxKernel#best()}). */
  public LogitsChunkKernel(SoftmaxKernel softmax) {
    this.softmax = (SoftmaxDefinitions) softmax;
  }

  /**
   * The input columns of one batch.
   *
   * @param targetIds {@code list<int>} (or {@code list<bigint>}): the target token per position
   * @param logits the model's logits, in one of the three forms
   * @param dtype {@code logits_dtype} per row; required for a binary {@code logits}, else null
   * @param vocabSize {@link IntVector} or {@link BigIntVector}; required for the binary and flat
   *     forms, else may be null
   * @param refLogits the reference's logits in the form of {@code logits}, or null
   */
  public record Input(
      ListVector targetIds,
      FieldVector logits,
      VarCharVector dtype,
      FieldVector vocabSize,
      FieldVector refLogits) {}

  /**
   * The per-row outputs, all owned and allocated by the caller; each gets the batch's value count.
   * The three reference sums are null for a row without reference logits, and may be null vectors
   * when the input has no {@code ref_logits} column.
   */
  public record Output(
      BigIntVector tokens,
      IntVector vocab,
      Float8Vector nllSum,
      Float8Vector entropySum,
      Float8Vector klForwardSum,
      Float8Vector klReverseSum,
      Float8Vector crossEntropyRefSum,
      IntVector problemAt) {}

  /**
   * Per-position outputs, owned by the caller: the NLL of the target and the entropy at each
   * position of each scored row, at the index of the position's element in {@code target_ids}'s
   * data (row start plus position within the chunk), for the job's by-position figures. Elements of
   * rejected rows are undefined. Written with {@code setSafe}, value count the data's length.
   */
  public record PositionOutput(Float8Vector nll, Float8Vector entropy) {}

  /** Scores every row of a batch; {@code status} holds one int per row (0: not yet rejected). */
  public void apply(Input in, Output out, IntVector status) {
    apply(in, out, null, status);
  }

  /**
   * Scores every row of a batch as {@link #apply(Input, Output, IntVector)}, also writing each
   * position's NLL and entropy into {@code positions} (may be null: not written).
   */
  public void apply(Input in, Output out, PositionOutput positions, IntVector status) {
    perPosition = positions;
    try {
      applyRows(in, out, status);
      if (positions != null) {
        ListVector targets = in.targetIds();
        int rows = targets.getValueCount();
        int elements =
            rows == 0 ? 0 : targets.getOffsetBuffer().getInt((long) rows * ListVector.OFFSET_WIDTH);
        positions.nll().setValueCount(elements);
        positions.entropy().setValueCount(elements);
      }
    } finally {
      perPosition = null;
    }
  }

  private void applyRows(Input in, Output out, IntVector status) {
    int n = in.targetIds().getValueCount();
    if (status.getValueCount() != n || in.logits().getValueCount() != n) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid vectors: target_ids %d rows, logits %d, status %d (must be equal)",
              n, in.logits().getValueCount(), status.getValueCount()));
    }
    boolean withReference = in.refLogits() != null && out.klForwardSum() != null;
    for (int row = 0; row < n; row++) {
      out.tokens().setNull(row);
      out.vocab().setNull(row);
      out.nllSum().setNull(row);
      out.entropySum().setNull(row);
      if (withReference) {
        out.klForwardSum().setNull(row);
        out.klReverseSum().setNull(row);
        out.crossEntropyRefSum().setNull(row);
      }
      out.problemAt().setSafe(row, -1);
      if (!status.isNull(row) && status.get(row) != Rejection.SCORED) {
        continue;
      }
      Rejection problem = scoreRow(in, out, row, withReference);
      if (problem != null) {
        status.set(row, problem.id());
        out.tokens().setNull(row);
        out.vocab().setNull(row);
        out.nllSum().setNull(row);
        out.entropySum().setNull(row);
        if (withReference) {
          out.klForwardSum().setNull(row);
          out.klReverseSum().setNull(row);
          out.crossEntropyRefSum().setNull(row);
        }
      }
    }
    out.tokens().setValueCount(n);
    out.vocab().setValueCount(n);
    out.nllSum().setValueCount(n);
    out.entropySum().setValueCount(n);
    if (withReference) {
      out.klForwardSum().setValueCount(n);
      out.klReverseSum().setValueCount(n);
      out.crossEntropyRefSum().setValueCount(n);
    }
    out.problemAt().setValueCount(n);
  }

  /** Scores one row into {@code out}; returns the row's first problem, or null. */
  private Rejection scoreRow(Input in, Output out, int row, boolean withReference) {
    ListVector targets = in.targetIds();
    if (targets.isNull(row)
        || targets.getElementEndIndex(row) == targets.getElementStartIndex(row)) {
      return Rejection.MISSING_TARGET_IDS;
    }
    int first = targets.getElementStartIndex(row);
    int positions = targets.getElementEndIndex(row) - first;
    if (in.logits().isNull(row)) {
      return Rejection.MISSING_LOGITS;
    }
    long givenVocab = vocabSize(in.vocabSize(), row);
    LogitsDtype dtype = null;
    if (in.logits() instanceof VarBinaryVector) {
      dtype = dtype(in.dtype(), row);
      if (dtype == null) {
        return Rejection.INVALID_LOGITS_DTYPE;
      }
    }
    Rejection shape = model.open(in.logits(), row, positions, givenVocab, dtype);
    if (shape != null) {
      return shape;
    }
    int vocab = model.vocab;
    boolean rowReference = withReference && !in.refLogits().isNull(row);
    if (rowReference && reference.open(in.refLogits(), row, positions, vocab, dtype) != null) {
      return Rejection.INVALID_REF_LOGITS;
    }
    FieldVector ids = targets.getDataVector();
    double nll = 0;
    double entropy = 0;
    double klForward = 0;
    double klReverse = 0;
    double crossEntropy = 0;
    for (int t = 0; t < positions; t++) {
      long target = ids.isNull(first + t) ? -1 : id(ids, first + t);
      if (target < 0 || target >= vocab) {
        out.problemAt().set(row, t);
        return Rejection.INVALID_TARGET_ID;
      }
      if (!model.load(t, softmax)) {
        out.problemAt().set(row, t);
        return Rejection.INVALID_LOGIT;
      }
      if (rowReference) {
        if (!reference.load(t, softmax)) {
          out.problemAt().set(row, t);
          return Rejection.INVALID_REF_LOGITS;
        }
        softmax.scoreWithReferenceFromRange(
            model.values,
            0,
            reference.values,
            0,
            vocab,
            (int) target,
            model.range,
            reference.range,
            position);
        if (Double.isNaN(position.refLogSumExp)) {
          out.problemAt().set(row, t);
          return Rejection.INVALID_REF_LOGITS;
        }
      } else {
        softmax.scoreFromRange(model.values, 0, vocab, (int) target, model.range, position);
      }
      if (Double.isNaN(position.logSumExp)) {
        out.problemAt().set(row, t);
        return Rejection.INVALID_LOGIT;
      }
      if (position.nll == Double.POSITIVE_INFINITY) {
        out.problemAt().set(row, t);
        return Rejection.TARGET_PROBABILITY_ZERO;
      }
      nll += position.nll;
      entropy += position.entropy;
      if (perPosition != null) {
        perPosition.nll().setSafe(first + t, position.nll);
        perPosition.entropy().setSafe(first + t, position.entropy);
      }
      if (rowReference) {
        klForward += position.klForward;
        klReverse += position.klReverse;
        crossEntropy += position.crossEntropyRef;
      }
    }
    out.tokens().setSafe(row, positions);
    out.vocab().setSafe(row, vocab);
    out.nllSum().setSafe(row, nll);
    out.entropySum().setSafe(row, entropy);
    if (rowReference) {
      out.klForwardSum().setSafe(row, klForward);
      out.klReverseSum().setSafe(row, klReverse);
      out.crossEntropyRefSum().setSafe(row, crossEntropy);
    }
    return null;
  }

  /** The row's vocabulary size, or -1 when there is no column or the value is null. */
  private static long vocabSize(FieldVector vocab, int row) {
    if (vocab == null || vocab.isNull(row)) {
      return -1;
    }
    if (vocab instanceof IntVector ints) {
      return ints.get(row);
    }
    if (vocab instanceof BigIntVector longs) {
      return longs.get(row);
    }
    throw new IllegalArgumentException(
        String.format(
            "Invalid vocab_size vector %s: %s (must be int or long)",
            vocab.getName(), vocab.getMinorType()));
  }

  private static long id(FieldVector ids, int index) {
    if (ids instanceof IntVector ints) {
      return ints.get(index);
    }
    if (ids instanceof BigIntVector longs) {
      return longs.get(index);
    }
    throw new IllegalArgumentException(
        String.format(
            "Invalid target_ids element vector %s: %s (must be int or long)",
            ids.getName(), ids.getMinorType()));
  }

  // The last dtype string seen and its parse, so that a batch of one dtype parses it once.
  private byte[] lastDtype;
  private LogitsDtype lastParsed;

  private LogitsDtype dtype(VarCharVector dtypes, int row) {
    if (dtypes == null || dtypes.isNull(row)) {
      return null;
    }
    byte[] bytes = dtypes.get(row);
    if (lastDtype == null || !java.util.Arrays.equals(bytes, lastDtype)) {
      lastDtype = bytes;
      try {
        lastParsed = LogitsDtype.parse(new String(bytes, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        lastParsed = null;
      }
    }
    return lastParsed;
  }

  /**
   * One row's logits, in whichever form, positioned for reading one position at a time into {@link
   * #values}, with their largest and smallest in {@link #range}.
   */
  private static final class Source {
    float[] values = new float[0];
    long range;
    private short[] halves = new short[0];
    int vocab;
    private int positions;
    private LogitsDtype dtype;
    private FloatBuffer floats;
    private ShortBuffer shorts;
    private Float4Vector elements;
    private int rowStart;

    /** Checks the shape of {@code row} and prepares to read it; the problem, or null. */
    Rejection open(FieldVector column, int row, int positions, long givenVocab, LogitsDtype dtype) {
      this.positions = positions;
      this.dtype = dtype;
      floats = null;
      shorts = null;
      elements = null;
      if (column instanceof VarBinaryVector blob) {
        if (givenVocab <= 0 || givenVocab > Integer.MAX_VALUE) {
          return Rejection.INVALID_VOCAB_SIZE;
        }
        long start = blob.getStartOffset(row);
        long length = blob.getEndOffset(row) - start;
        if (length != (long) positions * givenVocab * dtype.bytes()) {
          return Rejection.INVALID_LOGITS_SHAPE;
        }
        vocab = (int) givenVocab;
        ArrowBuf data = blob.getDataBuffer();
        ByteBuffer bytes =
            MemoryUtil.directBuffer(data.memoryAddress() + start, (int) length)
                .order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == LogitsDtype.FLOAT32) {
          floats = bytes.asFloatBuffer();
        } else {
          shorts = bytes.asShortBuffer();
          halves = grow(halves, vocab);
        }
      } else if (column instanceof ListVector list
          && list.getDataVector() instanceof Float4Vector flat) {
        if (givenVocab <= 0 || givenVocab > Integer.MAX_VALUE) {
          return Rejection.INVALID_VOCAB_SIZE;
        }
        int start = list.getElementStartIndex(row);
        if ((long) list.getElementEndIndex(row) - start != (long) positions * givenVocab) {
          return Rejection.INVALID_LOGITS_SHAPE;
        }
        vocab = (int) givenVocab;
        view(flat, start, positions);
      } else if (column instanceof ListVector list
          && list.getDataVector() instanceof ListVector inner
          && inner.getDataVector() instanceof Float4Vector flat) {
        int start = list.getElementStartIndex(row);
        if (list.getElementEndIndex(row) - start != positions) {
          return Rejection.INVALID_LOGITS_SHAPE;
        }
        int width = -1;
        for (int t = start; t < start + positions; t++) {
          if (inner.isNull(t)) {
            return Rejection.INVALID_LOGITS_SHAPE;
          }
          int length = inner.getElementEndIndex(t) - inner.getElementStartIndex(t);
          if (width >= 0 && length != width) {
            return Rejection.INVALID_LOGITS_SHAPE;
          }
          width = length;
        }
        if (width == 0 || (givenVocab >= 0 && givenVocab != width)) {
          return Rejection.INVALID_VOCAB_SIZE;
        }
        vocab = width;
        // Arrow's offsets are contiguous: the row's positions lie one after the other.
        view(flat, inner.getElementStartIndex(start), positions);
      } else {
        throw new IllegalArgumentException(
            String.format(
                "Invalid logits vector %s: %s (must be binary, list<float> or list<list<float>>)",
                column.getName(), column.getMinorType()));
      }
      values = grow(values, vocab);
      return null;
    }

    /**
     * Reads position {@code t} into {@link #values} and its range into {@link #range} (bfloat16
     * decoded and ranged in one pass); false if an element is null.
     */
    boolean load(int t, SoftmaxDefinitions kernel) {
      if (floats != null) {
        if (elements != null) {
          int from = rowStart + t * vocab;
          for (int i = from; i < from + vocab; i++) {
            if (elements.isNull(i)) {
              return false;
            }
          }
        }
        floats.get(t * vocab, values, 0, vocab);
        range = kernel.range(values, 0, vocab);
        return true;
      }
      if (shorts != null) {
        shorts.get(t * vocab, halves, 0, vocab);
        if (dtype == LogitsDtype.BFLOAT16) {
          range = kernel.decodeBfloat16(halves, vocab, values);
        } else {
          for (int i = 0; i < vocab; i++) {
            values[i] = HalfFloats.float16ToFloat(halves[i]);
          }
          range = kernel.range(values, 0, vocab);
        }
        return true;
      }
      throw new IllegalStateException("No row is open");
    }

    /** Reads {@code positions x vocab} floats of a list's child from element {@code from}. */
    private void view(Float4Vector elements, int from, int positions) {
      if (elements.getNullCount() > 0) {
        this.elements = elements;
        this.rowStart = from;
      }
      values = grow(values, vocab);
      ArrowBuf data = elements.getDataBuffer();
      floats =
          MemoryUtil.directBuffer(
                  data.memoryAddress() + (long) from * Float.BYTES,
                  Math.toIntExact((long) positions * vocab * Float.BYTES))
              .order(ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer();
    }

    private static float[] grow(float[] array, int size) {
      return array.length >= size ? array : new float[size];
    }

    private static short[] grow(short[] array, int size) {
      return array.length >= size ? array : new short[size];
    }
  }
}
