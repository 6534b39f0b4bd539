package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.Rejection;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Puts the chunks of one sequence of the logits layout back together: a sequence is scored whole,
 * from chunks that cover positions {@code 0 .. T-1} once each and agree on the text's counts, or
 * not at all, every one of its rows then rejected with its reason. The chunks' sums are added in
 * position order, so the result does not depend on the order in which chunks arrive.
 *
 * <p>A chunk that repeats another's positions exactly (same first position and length, both
 * scorable) is a second copy of the sequence, as when a shard is written twice: the first by file
 * and row is kept, the others are rejected as {@code DUPLICATE_SEQUENCE}, and the sequence is
 * assembled from the kept chunks.
 */
public final class SequenceAssembler {
  private SequenceAssembler() {}

  private static final Comparator<Chunk> POSITION_ORDER =
      Comparator.comparingLong(Chunk::firstPosition)
          .thenComparing(Chunk::file)
          .thenComparingLong(Chunk::row);

  /**
   * A sequence after assembly: scored (its sums and its chunks), or not, with every row in {@code
   * rejected}. A scored sequence may have rejected rows too: the duplicate copies of its chunks.
   *
   * @param soft the sequence's sums per {@link SoftColumn}, NaN where absent
   * @param sourceFile the file of the chunk at position 0
   * @param sourceRow its row
   * @param scoredChunks the chunks of a scored sequence, in position order
   */
  public record Assembled(
      SequenceKey key,
      boolean scored,
      long tokens,
      long vocab,
      double nll,
      double[] soft,
      long bytes,
      long chars,
      long words,
      String sourceFile,
      long sourceRow,
      List<Chunk> scoredChunks,
      List<Chunk> rejected)
      implements Serializable {

    private Assembled withRejected(List<Chunk> more) {
      List<Chunk> all = new ArrayList<>(rejected);
      all.addAll(more);
      return new Assembled(
          key,
          scored,
          tokens,
          vocab,
          nll,
          soft,
          bytes,
          chars,
          words,
          sourceFile,
          sourceRow,
          scoredChunks,
          all);
    }
  }

  /** Assembles the chunks of {@code key}. */
  public static Assembled assemble(SequenceKey key, Iterable<Chunk> arrived) {
    List<Chunk> all = new ArrayList<>();
    arrived.forEach(all::add);
    all.sort(POSITION_ORDER);
    List<Chunk> copies = new ArrayList<>();
    List<Chunk> chunks = withoutCopies(key, all, copies);
    Assembled assembled = assembleKept(key, chunks);
    return copies.isEmpty() ? assembled : assembled.withRejected(copies);
  }

  /**
   * The chunks without the exact repeats of an earlier one (in position, file, row order), which go
   * to {@code copies}, rejected as duplicates that name the chunk kept.
   */
  private static List<Chunk> withoutCopies(
      SequenceKey key, List<Chunk> chunks, List<Chunk> copies) {
    Map<Long, Chunk> firstAt = new HashMap<>();
    List<Chunk> kept = new ArrayList<>(chunks.size());
    for (Chunk c : chunks) {
      Chunk first = c.rejected() ? null : firstAt.putIfAbsent(c.firstPosition(), c);
      if (first != null && first.tokens() == c.tokens()) {
        copies.add(
            c.rejectedAs(
                Rejection.DUPLICATE_SEQUENCE,
                RejectionMessages.duplicateChunk(
                    key, c, new DuplicateCopies.Copy(first.file(), first.row()))));
      } else {
        kept.add(c);
      }
    }
    return kept;
  }

  /**
   * Assembles chunks that hold no exact repeats: checks them in the order of the reasons (a
   * rejected chunk, the positions, the vocabulary, the counts) and sums the chunks of a sequence
   * that passes.
   */
  private static Assembled assembleKept(SequenceKey key, List<Chunk> chunks) {
    String sequence = RejectionMessages.sequence(key);
    Chunk firstRejected = chunks.stream().filter(Chunk::rejected).findFirst().orElse(null);
    if (firstRejected != null) {
      return rejectAll(
          key,
          chunks,
          Rejection.SEQUENCE_CHUNK_REJECTED,
          c -> RejectionMessages.sequenceChunkRejected(sequence, c, firstRejected));
    }
    Assembled misplaced = unlessTiled(key, sequence, chunks);
    if (misplaced != null) {
      return misplaced;
    }
    TextCounts counts = TextCounts.of(chunks);
    if (counts.counted() == null) {
      return rejectAll(
          key,
          chunks,
          Rejection.MISSING_TEXT_AND_COUNTS,
          c -> RejectionMessages.sequenceWithoutCounts(sequence, c));
    }
    if (counts.disagreeing() != null) {
      return rejectAll(
          key,
          chunks,
          Rejection.CHUNK_COUNTS_DISAGREE,
          c ->
              RejectionMessages.chunkCountsDisagree(
                  sequence, c, counts.counted(), counts.disagreeing()));
    }
    return summed(key, chunks, counts);
  }

  /**
   * The sequence rejected when its chunks, in position order, do not cover {@code 0 .. T-1} once
   * each or differ in vocabulary size; else null.
   */
  private static Assembled unlessTiled(SequenceKey key, String sequence, List<Chunk> chunks) {
    long expected = 0;
    boolean contiguous = true;
    long vocab = chunks.get(0).vocab();
    boolean sameVocab = true;
    for (Chunk c : chunks) {
      contiguous &= c.firstPosition() == expected;
      expected = c.firstPosition() + c.tokens();
      sameVocab &= c.vocab() == vocab;
    }
    if (!contiguous) {
      return rejectAll(
          key,
          chunks,
          Rejection.INVALID_CHUNKS,
          c -> RejectionMessages.invalidChunks(sequence, c, chunks));
    }
    if (!sameVocab) {
      return rejectAll(
          key,
          chunks,
          Rejection.INVALID_VOCAB_SIZE,
          c -> RejectionMessages.chunkVocabSizesDiffer(sequence, c));
    }
    return null;
  }

  /**
   * The text's counts as the chunks give them: the first chunk with a byte count ({@code counted},
   * null when none has one), the first that disagrees with it (or null), and the first chars and
   * words known (-1 when none).
   */
  private record TextCounts(Chunk counted, Chunk disagreeing, long chars, long words) {
    static TextCounts of(List<Chunk> chunks) {
      Chunk counted = null;
      long chars = -1;
      long words = -1;
      for (Chunk c : chunks) {
        if (c.bytes() < 0) {
          continue;
        }
        if (counted == null) {
          counted = c;
        } else if (c.bytes() != counted.bytes()
            || (c.chars() >= 0 && chars >= 0 && c.chars() != chars)
            || (c.words() >= 0 && words >= 0 && c.words() != words)) {
          return new TextCounts(counted, c, chars, words);
        }
        chars = chars >= 0 ? chars : c.chars();
        words = words >= 0 ? words : c.words();
      }
      return new TextCounts(counted, null, chars, words);
    }
  }

  /** The scored sequence of tiled chunks that agree on the counts: their sums in position order. */
  private static Assembled summed(SequenceKey key, List<Chunk> chunks, TextCounts counts) {
    double nll = 0;
    double[] soft = SoftColumn.none();
    double entropy = 0;
    double klForward = 0;
    double klReverse = 0;
    double crossEntropy = 0;
    for (Chunk c : chunks) {
      nll += c.nll();
      entropy += c.entropy();
      klForward += c.klForward();
      klReverse += c.klReverse();
      crossEntropy += c.crossEntropyRef();
    }
    soft[SoftColumn.MEAN_ENTROPY.ordinal()] = entropy;
    // NaN (a chunk without reference logits) leaves the sequence without the reference columns.
    soft[SoftColumn.KL_FORWARD.ordinal()] = klForward;
    soft[SoftColumn.KL_REVERSE.ordinal()] = klReverse;
    soft[SoftColumn.CROSS_ENTROPY_REF.ordinal()] = crossEntropy;
    Chunk last = chunks.get(chunks.size() - 1);
    return new Assembled(
        key,
        true,
        last.firstPosition() + last.tokens(),
        chunks.get(0).vocab(),
        nll,
        soft,
        counts.counted().bytes(),
        counts.chars(),
        counts.words(),
        chunks.get(0).file(),
        chunks.get(0).row(),
        List.copyOf(chunks),
        List.of());
  }

  private static Assembled rejected(SequenceKey key, List<Chunk> rejected) {
    return new Assembled(
        key, false, 0, 0, Double.NaN, null, -1, -1, -1, null, -1, List.of(), rejected);
  }

  /**
   * The sequence rejected: each chunk that is not rejected already gets {@code rejection} and its
   * {@code message}.
   */
  private static Assembled rejectAll(
      SequenceKey key, List<Chunk> chunks, Rejection rejection, Function<Chunk, String> message) {
    List<Chunk> rejected = new ArrayList<>();
    for (Chunk c : chunks) {
      rejected.add(c.rejected() ? c : c.rejectedAs(rejection, message.apply(c)));
    }
    return rejected(key, rejected);
  }
}
