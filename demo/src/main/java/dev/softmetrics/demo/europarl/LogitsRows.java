package dev.softmetrics.demo.europarl;

import dev.softmetrics.corpora.BlobDtype;
import dev.softmetrics.corpora.DemoLogitsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows of the logits layout for a token sequence: chunks of {@value #CHUNK_POSITIONS} positions
 * whose {@code logits} are a model's log-probs over all V ids (a normalised distribution is a valid
 * set of logits) as little-endian bfloat16, with a reference's in {@code ref_logits}.
 */
final class LogitsRows {
  private LogitsRows() {}

  /** Positions per chunk row. */
  static final int CHUNK_POSITIONS = 12;

  static final BlobDtype DTYPE = BlobDtype.BFLOAT16;

  /** The layout's columns as the demo writes them: the contract's, and the given byte counts. */
  static final StructType SCHEMA =
      DemoLogitsWriter.LOGITS_SCHEMA.add("num_bytes", DataTypes.LongType, true);

  /** A model's ln p over all V ids after {@code tokens[0 .. t)}. */
  interface Distribution {
    void logprobs(int[] tokens, int t, double[] out);
  }

  /**
   * The chunk rows of positions {@code from .. tokens.length)} of {@code tokens}; with {@code
   * breakLastTarget}, the last chunk's last target id is V, one past the vocabulary.
   *
   * @param model the scored model's distribution
   * @param reference the reference's, or null for no {@code ref_logits}
   * @param text the text of the scored tokens (null if not valid UTF-8), on the first chunk
   * @param numBytes their UTF-8 byte count, on the first chunk
   */
  static List<Row> rows(
      PolicyScorer.Labels labels,
      int[] tokens,
      int from,
      Distribution model,
      Distribution reference,
      String text,
      long numBytes,
      boolean breakLastTarget) {
    int vocab = labels.tokenizer().vocabSize();
    double[] buffer = new double[vocab];
    List<Row> rows = new ArrayList<>();
    for (int first = from; first < tokens.length; first += CHUNK_POSITIONS) {
      int end = Math.min(tokens.length, first + CHUNK_POSITIONS);
      int[] targets = Arrays.copyOfRange(tokens, first, end);
      if (breakLastTarget && end == tokens.length) {
        targets[targets.length - 1] = vocab;
      }
      boolean head = first == from;
      rows.add(
          RowFactory.create(
              labels.sequenceId(),
              labels.model(),
              labels.tokenizer().label(),
              labels.domain(),
              first - from,
              targets,
              vocab,
              DTYPE.contractName(),
              blob(model, tokens, first, end, buffer),
              reference == null ? null : blob(reference, tokens, first, end, buffer),
              head ? text : null,
              head ? numBytes : null));
    }
    return rows;
  }

  private static byte[] blob(
      Distribution distribution, int[] tokens, int first, int end, double[] buffer) {
    ByteBuffer out =
        ByteBuffer.allocate((end - first) * buffer.length * DTYPE.bytes())
            .order(ByteOrder.LITTLE_ENDIAN);
    for (int t = first; t < end; t++) {
      distribution.logprobs(tokens, t, buffer);
      for (double logprob : buffer) {
        DTYPE.put(out, (float) logprob);
      }
    }
    return out.array();
  }
}
