package dev.softmetrics.job.score.batch;

import java.io.Serializable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The copies of sequences that a run rejects as {@code DUPLICATE_SEQUENCE}, each with the copy that
 * is kept: in the logprobs layout by input row, in the logits layout by the assembled sequence (its
 * four labels). Sent to the tasks of the pass that writes the tables; empty in the common case.
 */
public final class DuplicateCopies implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * A copy of a sequence: the file and row of its (first) input row, or, with {@link #STORED} for
   * the row, a copy that an earlier run scored from that file and {@code sequences/} holds.
   */
  public record Copy(String file, long row) implements Serializable {
    public static final Comparator<Copy> ORDER =
        Comparator.comparing(Copy::file).thenComparingLong(Copy::row);

    /** The row of a stored copy: {@code sequences/} keeps the file, not the row. */
    public static final long STORED = -1;

    public String where() {
      return row == STORED
          ? "sequences/ (scored by an earlier run from " + file + ")"
          : file + " row " + row;
    }
  }

  /** No duplicates. */
  public static final DuplicateCopies NONE = new DuplicateCopies(Map.of(), Map.of());

  private final Map<String, Map<Long, Copy>> rows;
  private final Map<SequenceKey, Copy> sequences;

  private DuplicateCopies(Map<String, Map<Long, Copy>> rows, Map<SequenceKey, Copy> sequences) {
    this.rows = rows;
    this.sequences = sequences;
  }

  /** Duplicate input rows of the logprobs layout, each mapped to the copy that is kept. */
  public static DuplicateCopies ofRows(Map<Copy, Copy> duplicates) {
    Map<String, Map<Long, Copy>> byFile = new HashMap<>();
    duplicates.forEach(
        (copy, kept) ->
            byFile.computeIfAbsent(copy.file(), f -> new HashMap<>()).put(copy.row(), kept));
    return new DuplicateCopies(byFile, Map.of());
  }

  /** Duplicate sequences of the logits layout, each mapped to the copy that is kept. */
  public static DuplicateCopies ofSequences(Map<SequenceKey, Copy> duplicates) {
    return new DuplicateCopies(Map.of(), new HashMap<>(duplicates));
  }

  public boolean isEmpty() {
    return rows.isEmpty() && sequences.isEmpty();
  }

  /** The rows of one file that are duplicates, by row, or null when it has none. */
  Map<Long, Copy> inFile(String file) {
    return rows.get(file);
  }

  /** The kept copy of a duplicate sequence, or null when {@code key} is not a duplicate. */
  Copy keptFor(SequenceKey key) {
    return sequences.get(key);
  }
}
