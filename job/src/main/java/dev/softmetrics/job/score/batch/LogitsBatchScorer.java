package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ArrowViews;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.logits.LogitsChunkKernel;
import dev.softmetrics.udfs.text.GivenCountsKernel.Counts;
import dev.softmetrics.udfs.text.TextCountKernel;
import dev.softmetrics.udfs.text.Utf8Validation;
import java.util.function.BiConsumer;
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
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Scores one columnar batch of the logits layout: views the columns as Arrow vectors, runs {@link
 * LogitsChunkKernel} and {@link TextCountKernel}, and hands on one {@link Chunk} per row, keyed by
 * its sequence. No metric is computed here.
 */
final class LogitsBatchScorer {
  private final ScanColumns columns;
  private final ColumnNames names;
  private final BufferAllocator allocator;
  private final LogitsChunkKernel kernel = new LogitsChunkKernel(SoftmaxChoice.KERNEL);

  LogitsBatchScorer(ScanColumns columns, ColumnNames names, BufferAllocator allocator) {
    this.columns = columns;
    this.names = names;
    this.allocator = allocator;
  }

  /** Scores a batch; each row goes to {@code sink} as its sequence's key and its chunk. */
  void score(ColumnarBatch batch, BiConsumer<SequenceKey, Chunk> sink) {
    int n = batch.numRows();
    if (n == 0) {
      return;
    }
    int[] labelColumns = columns.labels();
    ColumnVector[] labels = new ColumnVector[labelColumns.length];
    for (int l = 0; l < labels.length; l++) {
      labels[l] = batch.column(labelColumns[l]);
    }
    ColumnVector file = batch.column(columns.filePath());
    ColumnVector rowIndex = batch.column(columns.rowIndex());
    ColumnVector firstPosition =
        columns.firstPosition() == ScanColumns.ABSENT
            ? null
            : batch.column(columns.firstPosition());
    boolean withReference = columns.refLogits() != ScanColumns.ABSENT;
    try (ListVector targets =
            ArrowViews.intList(
                column(batch, columns.targetIds()), n, names.targetIds(), allocator);
        FieldVector logits = logits(batch, columns.logits(), n, names.logits());
        FieldVector refLogits =
            withReference ? logits(batch, columns.refLogits(), n, names.refLogits()) : null;
        VarCharVector dtype =
            columns.logitsDtype() == ScanColumns.ABSENT
                ? null
                : ArrowViews.utf8(
                    column(batch, columns.logitsDtype()), n, names.logitsDtype(), allocator);
        BigIntVector vocabSize =
            columns.vocabSize() == ScanColumns.ABSENT
                ? null
                : longs(batch.column(columns.vocabSize()), n, names.vocabSize(), allocator);
        VarCharVector text =
            columns.text() == ScanColumns.ABSENT
                ? null
                : ArrowViews.utf8(column(batch, columns.text()), n, names.text(), allocator);
        IntVector status = new IntVector("status", allocator);
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        IntVector vocab = new IntVector("vocab", allocator);
        Float8Vector nll = new Float8Vector("nll_sum", allocator);
        Float8Vector entropy = new Float8Vector("entropy_sum", allocator);
        Float8Vector klForward = new Float8Vector("kl_forward_sum", allocator);
        Float8Vector klReverse = new Float8Vector("kl_reverse_sum", allocator);
        Float8Vector crossEntropy = new Float8Vector("cross_entropy_ref_sum", allocator);
        IntVector problemAt = new IntVector("problem_at", allocator);
        BigIntVector textBytes = new BigIntVector("bytes", allocator);
        BigIntVector textChars = new BigIntVector("chars", allocator);
        BigIntVector textWords = new BigIntVector("words", allocator);
        GivenCounts given = GivenCounts.of(batch, columns, names, n, allocator)) {
      status.allocateNew(n);
      status.setValueCount(n);
      for (int row = 0; row < n; row++) {
        status.set(row, Rejection.SCORED);
        if (LogprobBatchScorer.missingLabel(labels, row) >= 0) {
          status.set(row, Rejection.MISSING_LABEL.id());
        } else if (LogprobBatchScorer.reservedLabel(labels, row) >= 0) {
          status.set(row, Rejection.RESERVED_LABEL.id());
        } else if (firstPosition(firstPosition, row) < 0) {
          status.set(row, Rejection.INVALID_FIRST_POSITION.id());
        }
      }
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
          status);
      Counts fromText = new Counts(textBytes, textChars, textWords);
      if (text != null) {
        TextCountKernel.apply(text, textBytes, textChars, textWords);
        Utf8Validation.apply(text, status);
      }
      if (given != null) {
        given.check(text == null ? null : fromText, status);
      }
      String source = null;
      org.apache.spark.unsafe.types.UTF8String sourceBytes = null;
      for (int row = 0; row < n; row++) {
        org.apache.spark.unsafe.types.UTF8String rowSource = file.getUTF8String(row);
        if (sourceBytes == null || !sourceBytes.equals(rowSource)) {
          sourceBytes = rowSource.copy();
          source = sourceBytes.toString();
        }
        long sourceRow = rowIndex.getLong(row);
        String[] label = new String[4];
        for (int l = 0; l < 4; l++) {
          label[l] = labels[l].isNullAt(row) ? null : labels[l].getUTF8String(row).toString();
        }
        int reason = status.get(row);
        SequenceKey key =
            reason == Rejection.MISSING_LABEL.id()
                ? SequenceKey.unmatched(label[0], label[1], label[2], label[3], source, sourceRow)
                : SequenceKey.of(label[0], label[1], label[2], label[3]);
        long first = Math.max(0, firstPosition(firstPosition, row));
        long bytes =
            LogprobBatchScorer.count(
                text == null ? null : textBytes, batch, columns.numBytes(), row);
        long chars =
            LogprobBatchScorer.count(
                text == null ? null : textChars, batch, columns.numChars(), row);
        long words =
            LogprobBatchScorer.count(
                text == null ? null : textWords, batch, columns.numWords(), row);
        if (reason != Rejection.SCORED) {
          Rejection rejection = Rejection.ofId(reason);
          String at = source + " row " + sourceRow;
          String where = " in " + at;
          sink.accept(
              key,
              Chunk.rejected(
                  source,
                  sourceRow,
                  first,
                  0,
                  0,
                  reason,
                  switch (rejection) {
                    case TEXT_COUNT_MISMATCH -> given.describe(fromText, row, at);
                    case INVALID_GIVEN_COUNT -> given.describeInvalid(row, at);
                    case INVALID_UTF8 -> InvalidText.message(text, row, names.text(), at);
                    default ->
                        describe(rejection, labels, targets, problemAt.get(row), first, row, where);
                  },
                  bytes,
                  chars,
                  words));
          continue;
        }
        boolean rowReference = withReference && !klForward.isNull(row);
        sink.accept(
            key,
            new Chunk(
                source,
                sourceRow,
                first,
                tokens.get(row),
                vocab.get(row),
                Rejection.SCORED,
                null,
                nll.get(row),
                entropy.get(row),
                rowReference ? klForward.get(row) : Double.NaN,
                rowReference ? klReverse.get(row) : Double.NaN,
                rowReference ? crossEntropy.get(row) : Double.NaN,
                bytes,
                chars,
                words));
      }
    }
  }

  private static WritableColumnVector column(ColumnarBatch batch, int index) {
    return (WritableColumnVector) batch.column(index);
  }

  /** The logits column as the kernel takes it: binary, flat or nested float lists. */
  private FieldVector logits(ColumnarBatch batch, int index, int rows, String name) {
    WritableColumnVector column = column(batch, index);
    if (column.dataType() instanceof BinaryType) {
      return ArrowViews.binary(column, rows, name, allocator);
    }
    if (((ArrayType) column.dataType()).elementType() instanceof ArrayType) {
      return ArrowViews.nestedFloatingList(column, rows, name, allocator);
    }
    return ArrowViews.floatingList(column, rows, name, allocator);
  }

  /** An int or long column copied into a {@link BigIntVector} (one value per row). */
  static BigIntVector longs(ColumnVector column, int rows, String name, BufferAllocator allocator) {
    BigIntVector out = new BigIntVector(name, allocator);
    out.allocateNew(rows);
    boolean ints = column.dataType() instanceof IntegerType;
    for (int row = 0; row < rows; row++) {
      if (column.isNullAt(row)) {
        out.setNull(row);
      } else {
        out.set(row, ints ? column.getInt(row) : column.getLong(row));
      }
    }
    out.setValueCount(rows);
    return out;
  }

  /** The row's first position: 0 without the column or for a null. */
  private static long firstPosition(ColumnVector column, int row) {
    if (column == null || column.isNullAt(row)) {
      return 0;
    }
    return column.dataType() instanceof IntegerType ? column.getInt(row) : column.getLong(row);
  }

  private String describe(
      Rejection rejection,
      ColumnVector[] labels,
      ListVector targets,
      int at,
      long first,
      int row,
      String where) {
    String position =
        at < 0 ? "" : " at position " + (first + at) + " (element " + at + " of the chunk)";
    return switch (rejection) {
      case MISSING_LABEL -> {
        String column = names.labels().get(LogprobBatchScorer.missingLabel(labels, row));
        yield "Missing label " + column + " (null or empty)" + where + ": " + rejection.rule();
      }
      case RESERVED_LABEL -> LogprobBatchScorer.reservedLabelMessage(names, labels, row, where);
      case INVALID_FIRST_POSITION ->
          "Invalid " + names.firstPosition() + where + ": " + rejection.rule();
      case MISSING_TARGET_IDS -> "Invalid " + names.targetIds() + where + ": " + rejection.rule();
      case INVALID_TARGET_ID -> {
        FieldVector ids = targets.getDataVector();
        int index = targets.getElementStartIndex(row) + at;
        Object value = ids.getObject(index);
        yield "Invalid "
            + names.targetIds()
            + "["
            + at
            + "] = "
            + value
            + where
            + " ("
            + rejection.rule()
            + ")";
      }
      case MISSING_LOGITS -> "Invalid " + names.logits() + where + ": " + rejection.rule();
      case INVALID_LOGITS_DTYPE ->
          "Invalid " + names.logitsDtype() + where + ": " + rejection.rule();
      case INVALID_VOCAB_SIZE, INVALID_LOGITS_SHAPE ->
          "Invalid shape of "
              + names.logits()
              + " ("
              + names.vocabSize()
              + ", "
              + names.targetIds()
              + ")"
              + where
              + ": "
              + rejection.rule();
      case INVALID_LOGIT, TARGET_PROBABILITY_ZERO ->
          "Invalid " + names.logits() + position + where + ": " + rejection.rule();
      case INVALID_REF_LOGITS ->
          "Invalid " + names.refLogits() + position + where + ": " + rejection.rule();
      default ->
          throw new IllegalStateException(
              "Rejection " + rejection + " is not decided per chunk of the logits layout");
    };
  }
}
