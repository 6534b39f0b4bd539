package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.BinaryColumnReader;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.logits.LogitsChunkKernel;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import dev.softmetrics.udfs.text.TextCountKernel;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Scores one columnar batch of the logits layout: views the columns as Arrow vectors ({@link
 * BatchView}, {@link LogitsColumns}), runs {@link LogitsChunkKernel} and {@link TextCountKernel},
 * and hands on one {@link Chunk} per row, keyed by its sequence. No metric is computed here.
 */
final class LogitsBatchScorer {
  private final ScanColumns columns;
  private final ColumnNames names;
  private final BufferAllocator allocator;
  private final BinaryColumnReader logitsPages;
  private final BinaryColumnReader refPages;
  private final LogitsChunkKernel kernel = new LogitsChunkKernel(SoftmaxChoice.KERNEL);
  private final PositionBuckets.Sums positions = new PositionBuckets.Sums();

  /**
   * @param logitsPages the reader of {@code logits} when the batches lack it, or null
   * @param refPages the reader of {@code ref_logits} when the batches lack it, or null
   */
  LogitsBatchScorer(
      ScanColumns columns,
      ColumnNames names,
      BufferAllocator allocator,
      BinaryColumnReader logitsPages,
      BinaryColumnReader refPages) {
    this.columns = columns;
    this.names = names;
    this.allocator = allocator;
    this.logitsPages = logitsPages;
    this.refPages = refPages;
  }

  /** Scores a batch; each row goes to {@code sink} as its sequence's key and its chunk. */
  void score(ColumnarBatch batch, BiConsumer<SequenceKey, Chunk> sink) {
    if (batch.numRows() == 0) {
      return;
    }
    try (BatchView view = BatchView.open(batch, columns, names, allocator)) {
      LogitsColumns logit = new LogitsColumns(view, columns, logitsPages, refPages);
      view.checkLabels();
      logit.checkFirstPositions(view.status());
      logit.score(kernel, view.status());
      view.checkText();
      for (int row = 0; row < view.rows(); row++) {
        chunk(view, logit, row, positions, sink);
      }
    }
  }

  /** Hands on the chunk of {@code row}, scored or rejected. */
  private static void chunk(
      BatchView view,
      LogitsColumns logit,
      int row,
      PositionBuckets.Sums positions,
      BiConsumer<SequenceKey, Chunk> sink) {
    String source = view.sourceOf(row);
    long sourceRow = view.sourceRow(row);
    String[] label = new String[view.labels().length];
    for (int l = 0; l < label.length; l++) {
      label[l] = view.labelText(l, row);
    }
    List<String> extras = java.util.Arrays.asList(label).subList(4, label.length);
    int reason = view.status().get(row);
    SequenceKey key =
        reason == Rejection.MISSING_LABEL.id()
            ? SequenceKey.unmatched(
                label[0], label[1], label[2], label[3], extras, source, sourceRow)
            : SequenceKey.of(label[0], label[1], label[2], label[3], extras);
    long first = Math.max(0, logit.firstPosition(row));
    long bytes = view.bytes(row);
    long chars = view.chars(row);
    long words = view.words(row);
    if (reason != Rejection.SCORED) {
      String message = message(view, logit, Rejection.ofId(reason), row, first);
      sink.accept(
          key,
          Chunk.rejected(source, sourceRow, first, 0, 0, reason, message, bytes, chars, words));
      return;
    }
    boolean rowReference = logit.hasReference(row);
    BigIntVector tokens = logit.tokens;
    IntVector vocab = logit.vocab;
    Float8Vector nll = logit.nll;
    Float8Vector entropy = logit.entropy;
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
            rowReference ? logit.klForward(row) : Double.NaN,
            rowReference ? logit.klReverse(row) : Double.NaN,
            rowReference ? logit.crossEntropy(row) : Double.NaN,
            bytes,
            chars,
            words,
            logit.positionSums(row, first, positions)));
  }

  private static String message(
      BatchView view, LogitsColumns logit, Rejection rejection, int row, long first) {
    String where = view.source() + " row " + view.sourceRow(row);
    return switch (rejection) {
      case MISSING_LABEL, RESERVED_LABEL, TEXT_COUNT_MISMATCH, INVALID_GIVEN_COUNT, INVALID_UTF8 ->
          view.message(rejection, row, where);
      default -> logit.message(rejection, row, first, where);
    };
  }
}
