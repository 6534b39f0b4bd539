package dev.softmetrics.corpora;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Cuts a {@link SyntheticLogitsSequence} into rows of the logits layout ({@link
 * DemoLogitsWriter#LOGITS_SCHEMA}), one per chunk of at most {@code chunkPositions} consecutive
 * positions, and spoils the chunk that a bad sequence asks for.
 */
final class LogitsChunkRows {
  private LogitsChunkRows() {}

  /** What is wrong with a deliberately bad chunk. */
  enum Flaw {
    /** The model's logit of the chunk's first target is NaN. */
    NAN_LOGIT,
    /** The chunk's last target id is V, one past the vocabulary. */
    TARGET_OUT_OF_RANGE,
    /** The {@code logits} blob is one element short. */
    SHORT_BLOB
  }

  /**
   * The flaw of sequence {@code index}'s last chunk: with {@code badSequenceEvery > 0}, sequence
   * {@code index} with {@code index % badSequenceEvery == badSequenceEvery - 1} has flaw number
   * {@code (index / badSequenceEvery) % 3}; every other sequence has none ({@code null}).
   */
  static Flaw flaw(long index, int badSequenceEvery) {
    if (badSequenceEvery == 0 || index % badSequenceEvery != badSequenceEvery - 1) {
      return null;
    }
    return Flaw.values()[(int) (index / badSequenceEvery % Flaw.values().length)];
  }

  /** The chunk rows of a sequence, by position; the last one carries {@code flaw} if not null. */
  static List<Row> rows(SyntheticLogitsSequence s, int chunkPositions, Flaw flaw) {
    List<Row> rows = new ArrayList<>();
    for (int first = 0; first < s.tokens(); first += chunkPositions) {
      int end = Math.min(s.tokens(), first + chunkPositions);
      rows.add(row(s, first, end, end == s.tokens() ? flaw : null));
    }
    return rows;
  }

  private static Row row(SyntheticLogitsSequence s, int first, int end, Flaw flaw) {
    int vocab = s.vocabSize();
    int[] targets = Arrays.copyOfRange(s.targetIds(), first, end);
    float[] logits = Arrays.copyOfRange(s.logits(), first * vocab, end * vocab);
    int length = logits.length;
    if (flaw == Flaw.NAN_LOGIT) {
      logits[targets[0]] = Float.NaN;
    } else if (flaw == Flaw.TARGET_OUT_OF_RANGE) {
      targets[targets.length - 1] = vocab;
    } else if (flaw == Flaw.SHORT_BLOB) {
      length--;
    }
    return RowFactory.create(
        s.sequenceId(),
        s.model(),
        s.tokenizer(),
        s.domain(),
        first,
        targets,
        vocab,
        s.dtype().contractName(),
        blob(s.dtype(), logits, 0, length),
        blob(s.dtype(), s.refLogits(), first * vocab, (end - first) * vocab),
        first == 0 ? s.text() : null);
  }

  /** {@code count} values from {@code from}, little-endian in {@code dtype}. */
  static byte[] blob(BlobDtype dtype, float[] values, int from, int count) {
    ByteBuffer out = ByteBuffer.allocate(count * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = from; i < from + count; i++) {
      dtype.put(out, values[i]);
    }
    return out.array();
  }
}
