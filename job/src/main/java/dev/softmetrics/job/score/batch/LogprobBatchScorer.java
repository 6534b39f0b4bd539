package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.aggregate.RunTotals;
import dev.softmetrics.job.aggregate.SoftColumn;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ArrowViews;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.logprobs.LogprobExtrasKernel;
import dev.softmetrics.udfs.logprobs.LogprobSumKernel;
import dev.softmetrics.udfs.sequence.SequenceMetricsKernel;
import dev.softmetrics.udfs.text.GivenCountsKernel.Counts;
import dev.softmetrics.udfs.text.TextCountKernel;
import dev.softmetrics.udfs.text.Utf8Validation;
import java.util.Map;
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
    /**
     * A scored row, in the layout of {@code sequences/}, with its row in the input file and the
     * hash of its key ({@link SequenceKeyHash}).
     */
    void scored(InternalRow row, long sourceRow, long keyHash);

    /**
     * A rejected row, in the layout of {@code rejected/}; only called when {@link #wantsRejected}.
     */
    void rejected(InternalRow row);

    /** False when rejected rows only need counting (their messages are not built). */
    boolean wantsRejected();
  }

  private final ScanColumns columns;
  private final ColumnNames names;
  private final double positiveTolerance;
  private final BufferAllocator allocator;
  private final UTF8String runId;
  private final DuplicateCopies duplicates;

  private static final UTF8String ROLL_UP = UTF8String.fromString(CorpusRow.ALL_DOMAINS);

  /**
   * @param duplicates the rows to reject as copies of another, and the copy each one defers to
   */
  LogprobBatchScorer(
      ScanColumns columns,
      ColumnNames names,
      double positiveTolerance,
      BufferAllocator allocator,
      String runId,
      DuplicateCopies duplicates) {
    this.columns = columns;
    this.names = names;
    this.positiveTolerance = positiveTolerance;
    this.allocator = allocator;
    this.runId = UTF8String.fromString(runId);
    this.duplicates = duplicates;
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
        BigIntVector textWords = new BigIntVector("words", allocator);
        ListVector entropies =
            optionalList(batch, columns.tokenEntropies(), n, names.tokenEntropies());
        ListVector refLogprobs =
            optionalList(batch, columns.refLogprobs(), n, names.refLogprobs());
        ListVector topLogprobs =
            columns.topLogprobs() == ScanColumns.ABSENT
                ? null
                : ArrowViews.nestedFloatingList(
                    (WritableColumnVector) batch.column(columns.topLogprobs()),
                    n,
                    names.topLogprobs(),
                    allocator);
        BigIntVector vocab =
            topLogprobs == null
                ? null
                : LogitsBatchScorer.longs(
                    batch.column(columns.vocabSize()), n, names.vocabSize(), allocator);
        Float8Vector entropySum = new Float8Vector("entropy_sum", allocator);
        Float8Vector k1Sum = new Float8Vector("k1_sum", allocator);
        Float8Vector k2Sum = new Float8Vector("k2_sum", allocator);
        Float8Vector k3Sum = new Float8Vector("k3_sum", allocator);
        Float8Vector lowerSum = new Float8Vector("entropy_lower_sum", allocator);
        Float8Vector upperSum = new Float8Vector("entropy_upper_sum", allocator);
        GivenCounts given = GivenCounts.of(batch, columns, names, n, allocator)) {
      status.allocateNew(n);
      status.zeroVector();
      status.setValueCount(n);
      for (int row = 0; row < n; row++) {
        if (missingLabel(labels, row) >= 0) {
          status.set(row, Rejection.MISSING_LABEL.id());
        } else if (reservedLabel(labels, row) >= 0) {
          status.set(row, Rejection.RESERVED_LABEL.id());
        }
      }
      LogprobSumKernel.apply(logprobs, positiveTolerance, tokens, nllSum, status);
      if (entropies != null) {
        LogprobExtrasKernel.entropies(entropies, tokens, positiveTolerance, entropySum, status);
      }
      if (refLogprobs != null) {
        LogprobExtrasKernel.referenceKl(
            logprobs, refLogprobs, tokens, positiveTolerance, k1Sum, k2Sum, k3Sum, status);
      }
      if (topLogprobs != null) {
        LogprobExtrasKernel.topKEntropyBounds(
            topLogprobs, vocab, tokens, positiveTolerance, lowerSum, upperSum, status);
      }
      SequenceMetricsKernel.apply(tokens, nllSum, meanNll, ppl);
      double[] soft = SoftColumn.none();
      Counts fromText = new Counts(textBytes, textChars, textWords);
      if (text != null) {
        TextCountKernel.apply(text, textBytes, textChars, textWords);
        Utf8Validation.apply(text, status);
      }
      if (given != null) {
        given.check(text == null ? null : fromText, status);
      }
      UTF8String source = null;
      String sourceName = null;
      Map<Long, DuplicateCopies.Copy> fileDuplicates = null;
      for (int row = 0; row < n; row++) {
        UTF8String rowSource = file.getUTF8String(row);
        if (source == null || !source.equals(rowSource)) {
          source = rowSource.copy();
          sourceName = source.toString();
          fileDuplicates = duplicates.inFile(sourceName);
        }
        long sourceRow = rowIndex.getLong(row);
        long bytes = count(text == null ? null : textBytes, batch, columns.numBytes(), row);
        int reason = status.get(row);
        if (reason == Rejection.SCORED && bytes < 0) {
          reason = Rejection.MISSING_TEXT_AND_COUNTS.id();
        }
        if (reason == Rejection.SCORED
            && fileDuplicates != null
            && fileDuplicates.containsKey(sourceRow)) {
          reason = Rejection.DUPLICATE_SEQUENCE.id();
        }
        if (reason != Rejection.SCORED) {
          Rejection rejection = Rejection.ofId(reason);
          totals.addRejected(sourceName, rejection.code());
          if (sink.wantsRejected()) {
            String where = sourceName + " row " + sourceRow;
            String message =
                switch (rejection) {
                  case TEXT_COUNT_MISMATCH -> given.describe(fromText, row, where);
                  case INVALID_GIVEN_COUNT -> given.describeInvalid(row, where);
                  case INVALID_UTF8 -> InvalidText.message(text, row, names.text(), where);
                  case DUPLICATE_SEQUENCE ->
                      DuplicateCopies.message(
                          labels[0].getUTF8String(row).toString(),
                          labels[1].getUTF8String(row).toString(),
                          labels[2].getUTF8String(row).toString(),
                          where,
                          fileDuplicates.get(sourceRow));
                  default ->
                      describe(
                          rejection,
                          labels,
                          logprobs,
                          new ListVector[] {entropies, refLogprobs, topLogprobs},
                          row,
                          where);
                };
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
        UTF8String sequenceId = label(labels[0], row);
        UTF8String model = label(labels[1], row);
        UTF8String tokenizer = label(labels[2], row);
        UTF8String domain = label(labels[3], row);
        long keyHash = SequenceKeyHash.of(sequenceId, model, tokenizer);
        totals.addSequenceKey(sourceName, keyHash);
        long rowTokens = tokens.get(row);
        soft[SoftColumn.MEAN_ENTROPY.ordinal()] = sum(entropies, entropySum, row);
        soft[SoftColumn.KL_K1.ordinal()] = sum(refLogprobs, k1Sum, row);
        soft[SoftColumn.KL_K2.ordinal()] = sum(refLogprobs, k2Sum, row);
        soft[SoftColumn.KL_K3.ordinal()] = sum(refLogprobs, k3Sum, row);
        soft[SoftColumn.ENTROPY_LOWER.ordinal()] = sum(topLogprobs, lowerSum, row);
        soft[SoftColumn.ENTROPY_UPPER.ordinal()] = sum(topLogprobs, upperSum, row);
        long rowVocab = vocab == null || vocab.isNull(row) ? 0 : vocab.get(row);
        totals.addScored(
            model,
            tokenizer,
            domain,
            sourceName,
            rowTokens,
            nllSum.get(row),
            bytes,
            chars,
            words,
            soft,
            rowVocab);
        sink.scored(
            new GenericInternalRow(
                new Object[] {
                  runId,
                  sequenceId,
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
                  mean(soft, SoftColumn.MEAN_ENTROPY, rowTokens),
                  mean(soft, SoftColumn.KL_FORWARD, rowTokens),
                  mean(soft, SoftColumn.KL_REVERSE, rowTokens),
                  mean(soft, SoftColumn.CROSS_ENTROPY_REF, rowTokens),
                  mean(soft, SoftColumn.KL_K1, rowTokens),
                  mean(soft, SoftColumn.KL_K2, rowTokens),
                  mean(soft, SoftColumn.KL_K3, rowTokens),
                  mean(soft, SoftColumn.ENTROPY_LOWER, rowTokens),
                  mean(soft, SoftColumn.ENTROPY_UPPER, rowTokens),
                  rowVocab == 0 ? null : rowVocab,
                  source
                }),
            sourceRow,
            keyHash);
      }
    }
  }

  private ListVector optionalList(ColumnarBatch batch, int column, int rows, String name) {
    return column == ScanColumns.ABSENT
        ? null
        : ArrowViews.floatingList(
            (WritableColumnVector) batch.column(column), rows, name, allocator);
  }

  /** A row's sum from an extras kernel, NaN when the input lacks the column or the row's list. */
  private static double sum(ListVector input, Float8Vector sums, int row) {
    return input == null || sums.isNull(row) ? Double.NaN : sums.get(row);
  }

  /** The mean per token of a soft column, or null when the row has none. */
  static Double mean(double[] soft, SoftColumn column, long tokens) {
    double sum = soft[column.ordinal()];
    return Double.isNaN(sum) ? null : SoftColumn.meanPerToken(sum, tokens);
  }

  /** The label's bytes, copied out of the batch (the reader reuses its memory), or null. */
  private static UTF8String label(ColumnVector column, int row) {
    return column.isNullAt(row) ? null : column.getUTF8String(row).copy();
  }

  /** The first label that is null or empty, or -1. */
  static int missingLabel(ColumnVector[] labels, int row) {
    for (int l = 0; l < labels.length; l++) {
      if (labels[l].isNullAt(row) || labels[l].getUTF8String(row).numBytes() == 0) {
        return l;
      }
    }
    return -1;
  }

  /** The first of model, tokenizer and domain whose value is the roll-up's, or -1. */
  static int reservedLabel(ColumnVector[] labels, int row) {
    for (int l = 1; l < labels.length; l++) {
      if (!labels[l].isNullAt(row) && labels[l].getUTF8String(row).equals(ROLL_UP)) {
        return l;
      }
    }
    return -1;
  }

  /** The message of a row rejected as {@link Rejection#RESERVED_LABEL}. */
  static String reservedLabelMessage(
      ColumnNames names, ColumnVector[] labels, int row, String where) {
    return "Invalid "
        + names.labels().get(reservedLabel(labels, row))
        + " = "
        + CorpusRow.ALL_DOMAINS
        + where
        + ": the value is reserved for the roll-up, rename the label ("
        + Rejection.RESERVED_LABEL.rule()
        + ")";
  }

  /** A count from the text when the row has text, else from the count column, else -1. */
  static long count(BigIntVector fromText, ColumnarBatch batch, int column, int row) {
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
      Rejection rejection,
      ColumnVector[] labels,
      ListVector logprobs,
      ListVector[] extras,
      int row,
      String where) {
    where = " in " + where;
    return switch (rejection) {
      case MISSING_LABEL -> {
        String column = names.labels().get(missingLabel(labels, row));
        yield "Missing label " + column + " (null or empty)" + where + ": " + rejection.rule();
      }
      case RESERVED_LABEL -> reservedLabelMessage(names, labels, row, where);
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
      case EXTRA_LENGTH_MISMATCH -> {
        int tokens = logprobs.getElementEndIndex(row) - logprobs.getElementStartIndex(row);
        StringBuilder lengths = new StringBuilder();
        String[] extraNames = {names.tokenEntropies(), names.refLogprobs(), names.topLogprobs()};
        for (int e = 0; e < extras.length; e++) {
          if (extras[e] != null && !extras[e].isNull(row)) {
            int length = extras[e].getElementEndIndex(row) - extras[e].getElementStartIndex(row);
            if (length != tokens) {
              lengths.append(", ").append(extraNames[e]).append(" has ").append(length);
            }
          }
        }
        yield "Invalid per-token lengths"
            + where
            + ": "
            + names.tokenLogprobs()
            + " has "
            + tokens
            + lengths
            + " ("
            + rejection.rule()
            + ")";
      }
      case INVALID_TOKEN_ENTROPY ->
          "Invalid " + names.tokenEntropies() + where + ": " + rejection.rule();
      case INVALID_REF_LOGPROB ->
          "Invalid " + names.refLogprobs() + where + ": " + rejection.rule();
      case INVALID_TOP_LOGPROBS ->
          "Invalid "
              + names.topLogprobs()
              + " or "
              + names.vocabSize()
              + where
              + ": "
              + rejection.rule();
      default ->
          throw new IllegalStateException(
              "Rejection " + rejection + " does not occur in the logprobs layout");
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
}
