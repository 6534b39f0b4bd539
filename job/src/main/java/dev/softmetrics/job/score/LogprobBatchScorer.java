package dev.softmetrics.job.score;

import dev.softmetrics.job.aggregate.RunTotals;
import dev.softmetrics.job.io.ArrowViews;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.logprobs.LogprobSumKernel;
import dev.softmetrics.udfs.sequence.SequenceMetricsKernel;
import dev.softmetrics.udfs.text.TextCountKernel;
import java.io.Serializable;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Scores one columnar batch of the log-prob layout: views the columns as Arrow vectors, runs the
 * kernels, and hands each row on, scored or rejected. No metric is computed here; this class only
 * feeds and collects.
 */
final class LogprobBatchScorer {
  /** Where the rows of a batch go. */
  interface Sink {
    /** A scored row, in the layout of {@code sequences/}. */
    void scored(InternalRow row);

    /**
     * A rejected row, in the layout of {@code rejected/}; only called when {@link #wantsRejected}.
     */
    void rejected(InternalRow row);

    /** False when rejected rows only need counting (their messages are not built). */
    boolean wantsRejected();
  }

  private final ScanColumns columns;
  private final ColumnLabels names;
  private final double positiveTolerance;
  private final BufferAllocator allocator;
  private final UTF8String runId;

  LogprobBatchScorer(
      ScanColumns columns,
      ColumnLabels names,
      double positiveTolerance,
      BufferAllocator allocator,
      String runId) {
    this.columns = columns;
    this.names = names;
    this.positiveTolerance = positiveTolerance;
    this.allocator = allocator;
    this.runId = UTF8String.fromString(runId);
  }

  /** Scores a batch into {@code sink} and counts every row in {@code totals}. */
  void score(ColumnarBatch batch, Sink sink, RunTotals totals) {
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
    try (ListVector logprobs =
            ArrowViews.floatingList(
                (WritableColumnVector) batch.column(columns.tokenLogprobs()),
                n,
                names.tokenLogprobs(),
                allocator);
        VarCharVector text =
            columns.text() == ScanColumns.ABSENT
                ? null
                : ArrowViews.utf8(
                    (WritableColumnVector) batch.column(columns.text()),
                    n,
                    names.text(),
                    allocator);
        IntVector status = new IntVector("status", allocator);
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nllSum = new Float8Vector("nll_sum", allocator);
        Float8Vector meanNll = new Float8Vector("mean_nll", allocator);
        Float8Vector ppl = new Float8Vector("ppl", allocator);
        BigIntVector textBytes = new BigIntVector("bytes", allocator);
        BigIntVector textChars = new BigIntVector("chars", allocator);
        BigIntVector textWords = new BigIntVector("words", allocator)) {
      status.allocateNew(n);
      status.zeroVector();
      status.setValueCount(n);
      for (int row = 0; row < n; row++) {
        if (missingLabel(labels, row) >= 0) {
          status.set(row, Rejection.MISSING_LABEL.id());
        }
      }
      LogprobSumKernel.apply(logprobs, positiveTolerance, tokens, nllSum, status);
      SequenceMetricsKernel.apply(tokens, nllSum, meanNll, ppl);
      if (text != null) {
        TextCountKernel.apply(text, textBytes, textChars, textWords);
      }
      UTF8String source = null;
      String sourceName = null;
      for (int row = 0; row < n; row++) {
        UTF8String rowSource = file.getUTF8String(row);
        if (source == null || !source.equals(rowSource)) {
          source = rowSource.copy();
          sourceName = source.toString();
        }
        long bytes = count(text == null ? null : textBytes, batch, columns.numBytes(), row);
        int reason = status.get(row);
        if (reason == Rejection.SCORED && bytes < 0) {
          reason = Rejection.MISSING_TEXT_AND_COUNTS.id();
        }
        if (reason != Rejection.SCORED) {
          Rejection rejection = Rejection.ofId(reason);
          totals.addRejected(sourceName, rejection.code());
          if (sink.wantsRejected()) {
            long sourceRow = rowIndex.getLong(row);
            String message =
                describe(rejection, labels, logprobs, row, sourceName + " row " + sourceRow);
            sink.rejected(
                new GenericInternalRow(
                    new Object[] {
                      runId,
                      label(labels[0], row),
                      label(labels[1], row),
                      label(labels[2], row),
                      label(labels[3], row),
                      source,
                      sourceRow,
                      UTF8String.fromString(rejection.code()),
                      UTF8String.fromString(message)
                    }));
          }
          continue;
        }
        long chars = count(text == null ? null : textChars, batch, columns.numChars(), row);
        long words = count(text == null ? null : textWords, batch, columns.numWords(), row);
        UTF8String model = label(labels[1], row);
        UTF8String tokenizer = label(labels[2], row);
        UTF8String domain = label(labels[3], row);
        totals.addScored(
            model,
            tokenizer,
            domain,
            sourceName,
            tokens.get(row),
            nllSum.get(row),
            bytes,
            chars,
            words);
        sink.scored(
            new GenericInternalRow(
                new Object[] {
                  runId,
                  label(labels[0], row),
                  model,
                  tokenizer,
                  domain,
                  tokens.get(row),
                  nllSum.get(row),
                  meanNll.get(row),
                  ppl.get(row),
                  bytes,
                  chars < 0 ? null : chars,
                  words < 0 ? null : words,
                  source
                }));
      }
    }
  }

  /** The label's bytes, copied out of the batch (the reader reuses its memory), or null. */
  private static UTF8String label(ColumnVector column, int row) {
    return column.isNullAt(row) ? null : column.getUTF8String(row).copy();
  }

  /** The first label that is null or empty, or -1. */
  private static int missingLabel(ColumnVector[] labels, int row) {
    for (int l = 0; l < labels.length; l++) {
      if (labels[l].isNullAt(row) || labels[l].getUTF8String(row).numBytes() == 0) {
        return l;
      }
    }
    return -1;
  }

  /** A count from the text when the row has text, else from the count column, else -1. */
  private static long count(BigIntVector fromText, ColumnarBatch batch, int column, int row) {
    if (fromText != null && !fromText.isNull(row)) {
      return fromText.get(row);
    }
    if (column == ScanColumns.ABSENT) {
      return -1;
    }
    ColumnVector given = batch.column(column);
    if (given.isNullAt(row)) {
      return -1;
    }
    return given.dataType() instanceof IntegerType ? given.getInt(row) : given.getLong(row);
  }

  private String describe(
      Rejection rejection, ColumnVector[] labels, ListVector logprobs, int row, String where) {
    where = " in " + where;
    return switch (rejection) {
      case MISSING_LABEL -> {
        String column = names.labels().get(missingLabel(labels, row));
        yield "Missing label " + column + " (null or empty)" + where + ": " + rejection.rule();
      }
      case MISSING_LOGPROBS, EMPTY_LOGPROBS ->
          "Invalid " + names.tokenLogprobs() + where + ": " + rejection.rule();
      case NULL_LOGPROB, NON_FINITE_LOGPROB, POSITIVE_LOGPROB -> {
        int at = LogprobSumKernel.firstElementOf(logprobs, row, rejection, positiveTolerance);
        String value =
            rejection == Rejection.NULL_LOGPROB
                ? "null"
                : Double.toString(LogprobSumKernel.elementAsDouble(logprobs, row, at));
        yield "Invalid "
            + names.tokenLogprobs()
            + "["
            + at
            + "] = "
            + value
            + where
            + " ("
            + rejection.rule()
            + ")";
      }
      case EXTRA_LENGTH_MISMATCH,
          INVALID_TOKEN_ENTROPY,
          INVALID_REF_LOGPROB,
          INVALID_TOP_LOGPROBS ->
          "Invalid optional per-token column" + where + ": " + rejection.rule();
      case MISSING_TEXT_AND_COUNTS ->
          "Cannot count bytes"
              + where
              + ": "
              + names.text()
              + " and "
              + names.numBytes()
              + " are both null ("
              + rejection.rule()
              + ")";
    };
  }

  /** The user's names of the columns, for messages. */
  record ColumnLabels(List<String> labels, String tokenLogprobs, String text, String numBytes)
      implements Serializable {}
}
