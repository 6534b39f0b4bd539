package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ArrowViews;
import dev.softmetrics.job.io.BinaryColumnReader;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.logits.LogitsChunkKernel;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * The columns of the logits layout in one batch, as Arrow vectors, with the outputs of {@link
 * LogitsChunkKernel}: each chunk's sums and, for a rejected chunk, the element it went wrong at.
 * Its vectors belong to the {@link BatchView} that opened them.
 */
final class LogitsColumns {
  private final ColumnNames names;
  private final ColumnVector firstPosition;
  private final boolean withReference;
  private final ListVector targets;
  private final FieldVector logits;
  private final FieldVector refLogits;
  private final VarCharVector dtype;
  private final BigIntVector vocabSize;
  final BigIntVector tokens;
  final IntVector vocab;
  final Float8Vector nll;
  final Float8Vector entropy;
  private final Float8Vector klForward;
  private final Float8Vector klReverse;
  private final Float8Vector crossEntropy;
  private final IntVector problemAt;
  private final Float8Vector positionNll;
  private final Float8Vector positionEntropy;

  /**
   * Views the layout's columns of {@code view}'s batch; {@code logitsPages} and {@code refPages}
   * read the binary logits columns the batch lacks (each null when the batch holds its column).
   */
  LogitsColumns(
      BatchView view,
      ScanColumns columns,
      BinaryColumnReader logitsPages,
      BinaryColumnReader refPages) {
    this.names = view.names();
    BufferAllocator allocator = view.allocator();
    this.firstPosition =
        columns.firstPosition() == ScanColumns.ABSENT
            ? null
            : view.batch().column(columns.firstPosition());
    this.withReference = columns.refLogits() != ScanColumns.ABSENT || refPages != null;
    this.targets =
        view.own(
            ArrowViews.intList(
                view.writable(columns.targetIds()), view.rows(), names.targetIds(), allocator));
    this.logits =
        logitsPages != null
            ? view.own(view.pageBinary(logitsPages, names.logits()))
            : logits(view, columns.logits(), names.logits());
    this.refLogits =
        refPages != null
            ? view.own(view.pageBinary(refPages, names.refLogits()))
            : withReference ? logits(view, columns.refLogits(), names.refLogits()) : null;
    this.dtype = view.utf8(columns.logitsDtype(), names.logitsDtype());
    this.vocabSize = view.longs(columns.vocabSize(), names.vocabSize());
    this.tokens = view.own(new BigIntVector("tokens", allocator));
    this.vocab = view.own(new IntVector("vocab", allocator));
    this.nll = view.own(new Float8Vector("nll_sum", allocator));
    this.entropy = view.own(new Float8Vector("entropy_sum", allocator));
    this.klForward = view.own(new Float8Vector("kl_forward_sum", allocator));
    this.klReverse = view.own(new Float8Vector("kl_reverse_sum", allocator));
    this.crossEntropy = view.own(new Float8Vector("cross_entropy_ref_sum", allocator));
    this.problemAt = view.own(new IntVector("problem_at", allocator));
    this.positionNll = view.own(new Float8Vector("position_nll", allocator));
    this.positionEntropy = view.own(new Float8Vector("position_entropy", allocator));
  }

  /**
   * Rejects the rows whose first position is negative (a row already rejected keeps its reason).
   */
  void checkFirstPositions(IntVector status) {
    for (int row = 0; row < status.getValueCount(); row++) {
      if (status.get(row) == Rejection.SCORED && firstPosition(row) < 0) {
        status.set(row, Rejection.INVALID_FIRST_POSITION.id());
      }
    }
  }

  /** Runs {@code kernel}, recording each row's first problem in {@code status}. */
  void score(LogitsChunkKernel kernel, IntVector status) {
    kernel.apply(
        new LogitsChunkKernel.Input(targets, logits, dtype, vocabSize, refLogits),
        new LogitsChunkKernel.Output(
            tokens,
            vocab,
            nll,
            entropy,
            withReference ? klForward : null,
            withReference ? klReverse : null,
            withReference ? crossEntropy : null,
            problemAt),
        new LogitsChunkKernel.PositionOutput(positionNll, positionEntropy),
        status);
  }

  /**
   * A scored row's sums per position bucket, position p being {@code first} plus the index in the
   * chunk.
   */
  Chunk.Positions positionSums(int row, long first, PositionBuckets.Sums scratch) {
    scratch.clear();
    PositionBuckets.addPositions(
        positionNll,
        positionEntropy,
        targets.getElementStartIndex(row),
        targets.getElementEndIndex(row),
        first,
        scratch);
    return Chunk.Positions.of(scratch);
  }

  /** The row's first position: 0 without the column or for a null. */
  long firstPosition(int row) {
    if (firstPosition == null || firstPosition.isNullAt(row)) {
      return 0;
    }
    return firstPosition.dataType() instanceof IntegerType
        ? firstPosition.getInt(row)
        : firstPosition.getLong(row);
  }

  /** True when the scored row has reference logits (its KL columns are set). */
  boolean hasReference(int row) {
    return withReference && !klForward.isNull(row);
  }

  double klForward(int row) {
    return klForward.get(row);
  }

  double klReverse(int row) {
    return klReverse.get(row);
  }

  double crossEntropy(int row) {
    return crossEntropy.get(row);
  }

  /**
   * The message of a chunk rejected by this layout's checks, which starts at position {@code
   * first}.
   *
   * @throws IllegalStateException for a reason the layout does not decide per chunk
   */
  String message(Rejection rejection, int row, long first, String where) {
    int at = problemAt.get(row);
    return switch (rejection) {
      case INVALID_FIRST_POSITION ->
          RejectionMessages.invalidFirstPosition(names.firstPosition(), where);
      case MISSING_TARGET_IDS -> RejectionMessages.missingTargetIds(names.targetIds(), where);
      case INVALID_TARGET_ID ->
          RejectionMessages.invalidTargetId(
              names.targetIds(),
              at,
              targets.getDataVector().getObject(targets.getElementStartIndex(row) + at),
              where);
      case MISSING_LOGITS -> RejectionMessages.missingLogits(names.logits(), where);
      case INVALID_LOGITS_DTYPE -> RejectionMessages.invalidLogitsDtype(names.logitsDtype(), where);
      case INVALID_VOCAB_SIZE -> RejectionMessages.invalidVocabSize(names, where);
      case INVALID_LOGITS_SHAPE -> RejectionMessages.invalidLogitsShape(names, where);
      case INVALID_LOGIT -> RejectionMessages.invalidLogit(names.logits(), first, at, where);
      case TARGET_PROBABILITY_ZERO ->
          RejectionMessages.targetProbabilityZero(names.logits(), first, at, where);
      case INVALID_REF_LOGITS ->
          RejectionMessages.invalidRefLogits(names.refLogits(), first, at, where);
      default ->
          throw new IllegalStateException(
              "Rejection " + rejection + " is not decided per chunk of the logits layout");
    };
  }

  /** The logits column as the kernel takes it: binary, flat or nested float lists. */
  private static FieldVector logits(BatchView view, int index, String name) {
    WritableColumnVector column = view.writable(index);
    if (column.dataType() instanceof BinaryType) {
      return view.own(ArrowViews.binary(column, view.rows(), name, view.allocator()));
    }
    if (((ArrayType) column.dataType()).elementType() instanceof ArrayType) {
      return view.nestedFloatingList(index, name);
    }
    return view.floatingList(index, name);
  }
}
