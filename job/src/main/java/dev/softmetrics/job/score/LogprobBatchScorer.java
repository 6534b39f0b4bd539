package dev.softmetrics.job.score;

import dev.softmetrics.job.io.ArrowViews;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.logprobs.LogprobSumKernel;
import dev.softmetrics.udfs.sequence.SequenceMetricsKernel;
import dev.softmetrics.udfs.text.TextCountKernel;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Scores one columnar batch of the log-prob layout: views the columns as Arrow vectors, runs the
 * kernels, and emits one {@link ScoredRows} row per input row. No metric is computed here; this
 * class only feeds and collects.
 */
final class LogprobBatchScorer {
  private final ScanColumns columns;
  private final ColumnLabels names;
  private final double positiveTolerance;
  private final BufferAllocator allocator;

  LogprobBatchScorer(
      ScanColumns columns,
      ColumnLabels names,
      double positiveTolerance,
      BufferAllocator allocator) {
    this.columns = columns;
    this.names = names;
    this.positiveTolerance = positiveTolerance;
    this.allocator = allocator;
  }

  List<Row> score(ColumnarBatch batch) {
    int n = batch.numRows();
    List<Row> out = new ArrayList<>(n);
    if (n == 0) {
      return out;
    }
    ColumnVector file = batch.column(columns.filePath());
    ColumnVector rowIndex = batch.column(columns.rowIndex());
    int[] labelColumns = columns.labels();
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
      String[][] labels = new String[n][];
      int[] missingLabel = new int[n];
      for (int row = 0; row < n; row++) {
        labels[row] = new String[labelColumns.length];
        missingLabel[row] = -1;
        for (int l = 0; l < labelColumns.length; l++) {
          ColumnVector label = batch.column(labelColumns[l]);
          String value = label.isNullAt(row) ? null : label.getUTF8String(row).toString();
          labels[row][l] = value;
          if ((value == null || value.isEmpty()) && missingLabel[row] < 0) {
            missingLabel[row] = l;
            status.set(row, Rejection.MISSING_LABEL.id());
          }
        }
      }
      LogprobSumKernel.apply(logprobs, positiveTolerance, tokens, nllSum, status);
      SequenceMetricsKernel.apply(tokens, nllSum, meanNll, ppl);
      if (text != null) {
        TextCountKernel.apply(text, textBytes, textChars, textWords);
      }
      for (int row = 0; row < n; row++) {
        String source = file.getUTF8String(row).toString();
        long sourceRow = rowIndex.getLong(row);
        Long bytes = count(text == null ? null : textBytes, batch, columns.numBytes(), row);
        int reason = status.get(row);
        if (reason == Rejection.SCORED && bytes == null) {
          reason = Rejection.MISSING_TEXT_AND_COUNTS.id();
        }
        String[] label = labels[row];
        if (reason != Rejection.SCORED) {
          Rejection rejection = Rejection.ofId(reason);
          out.add(
              RowFactory.create(
                  label[0],
                  label[1],
                  label[2],
                  label[3],
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  source,
                  sourceRow,
                  rejection.code(),
                  describe(rejection, logprobs, row, missingLabel[row], source, sourceRow)));
          continue;
        }
        out.add(
            RowFactory.create(
                label[0],
                label[1],
                label[2],
                label[3],
                tokens.get(row),
                nllSum.get(row),
                meanNll.get(row),
                ppl.get(row),
                bytes,
                count(text == null ? null : textChars, batch, columns.numChars(), row),
                count(text == null ? null : textWords, batch, columns.numWords(), row),
                source,
                sourceRow,
                null,
                null));
      }
    }
    return out;
  }

  /** A count from the text when the row has text, else the count column when the input ships it. */
  private static Long count(BigIntVector fromText, ColumnarBatch batch, int column, int row) {
    if (fromText != null && !fromText.isNull(row)) {
      return fromText.get(row);
    }
    if (column == ScanColumns.ABSENT) {
      return null;
    }
    ColumnVector given = batch.column(column);
    if (given.isNullAt(row)) {
      return null;
    }
    return given.dataType() instanceof org.apache.spark.sql.types.IntegerType
        ? (long) given.getInt(row)
        : given.getLong(row);
  }

  private String describe(
      Rejection rejection,
      ListVector logprobs,
      int row,
      int missingLabel,
      String source,
      long sourceRow) {
    String where = " in " + source + " row " + sourceRow;
    return switch (rejection) {
      case MISSING_LABEL -> {
        String column = names.labels().get(missingLabel);
        yield "Missing label " + column + " (null or empty)" + where + ": " + rejection.rule();
      }
      case MISSING_LOGPROBS, EMPTY_LOGPROBS ->
          "Invalid " + names.tokenLogprobs() + where + ": " + rejection.rule();
      case NULL_LOGPROB, NON_FINITE_LOGPROB, POSITIVE_LOGPROB -> {
        int at = LogprobSumKernel.firstElementOf(logprobs, row, rejection, positiveTolerance);
        String value =
            at < 0 || logprobs.getDataVector().isNull(logprobs.getElementStartIndex(row) + at)
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
      implements java.io.Serializable {}
}
