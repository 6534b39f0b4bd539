package dev.softmetrics.job.score.batch;

import dev.softmetrics.udfs.Rejection;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

  /** Spans listed in a message before it says "and N more". */
  private static final int SPANS_SHOWN = 8;

  private static final Comparator<Chunk> POSITION_ORDER =
      Comparator.comparingLong(Chunk::firstPosition)
          .thenComparing(Chunk::file)
          .thenComparingLong(Chunk::row);

  /**
   * A sequence after assembly: scored (its sums and its chunks), or not, with every row in {@code
   * rejected}. A scored sequence may have rejected rows too: the duplicate copies of its chunks.
   *
   * @param soft the sequence's sums per {@link dev.softmetrics.job.aggregate.SoftColumn}, NaN where
   *     absent
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
                DuplicateCopies.message(
                    key.sequenceId(),
                    key.model(),
                    key.tokenizer(),
                    c.where() + " (positions " + c.span() + ")",
                    new DuplicateCopies.Copy(first.file(), first.row()))));
      } else {
        kept.add(c);
      }
    }
    return kept;
  }

  /** Assembles chunks that hold no exact repeats. */
  private static Assembled assembleKept(SequenceKey key, List<Chunk> chunks) {
    String sequence = describe(key);

    Chunk firstRejected = chunks.stream().filter(Chunk::rejected).findFirst().orElse(null);
    if (firstRejected != null) {
      List<Chunk> rejected = new ArrayList<>();
      for (Chunk c : chunks) {
        rejected.add(
            c.rejected()
                ? c
                : c.rejectedAs(
                    Rejection.SEQUENCE_CHUNK_REJECTED,
                    "Not scored: the chunk at positions "
                        + c.span()
                        + " of "
                        + sequence
                        + " in "
                        + c.where()
                        + ", because its chunk in "
                        + firstRejected.where()
                        + " was rejected ("
                        + Rejection.ofId(firstRejected.status()).code()
                        + "); "
                        + Rejection.SEQUENCE_CHUNK_REJECTED.rule()));
      }
      return rejected(key, rejected);
    }

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
          c ->
              "Invalid chunks of "
                  + sequence
                  + " (this one "
                  + c.where()
                  + "): they cover "
                  + spans(chunks)
                  + " ("
                  + Rejection.INVALID_CHUNKS.rule()
                  + ")");
    }
    if (!sameVocab) {
      return rejectAll(
          key,
          chunks,
          Rejection.INVALID_VOCAB_SIZE,
          c ->
              "Invalid chunks of "
                  + sequence
                  + " (this one "
                  + c.where()
                  + ", vocabulary "
                  + c.vocab()
                  + "): their logits have different vocabulary sizes ("
                  + Rejection.INVALID_VOCAB_SIZE.rule()
                  + ")");
    }

    Chunk counted = null;
    Chunk disagreeing = null;
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
        disagreeing = c;
        break;
      }
      chars = chars >= 0 ? chars : c.chars();
      words = words >= 0 ? words : c.words();
    }
    if (counted == null) {
      return rejectAll(
          key,
          chunks,
          Rejection.MISSING_TEXT_AND_COUNTS,
          c ->
              "Cannot count bytes of "
                  + sequence
                  + " (this chunk "
                  + c.where()
                  + "): no chunk of it has text or num_bytes ("
                  + Rejection.MISSING_TEXT_AND_COUNTS.rule()
                  + ")");
    }
    if (disagreeing != null) {
      Chunk a = counted;
      Chunk b = disagreeing;
      return rejectAll(
          key,
          chunks,
          Rejection.CHUNK_COUNTS_DISAGREE,
          c ->
              "Invalid counts of "
                  + sequence
                  + " (this chunk "
                  + c.where()
                  + "): "
                  + a.where()
                  + " gives "
                  + counts(a)
                  + ", "
                  + b.where()
                  + " gives "
                  + counts(b)
                  + " ("
                  + Rejection.CHUNK_COUNTS_DISAGREE.rule()
                  + ")");
    }

    double nll = 0;
    double[] soft = dev.softmetrics.job.aggregate.SoftColumn.none();
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
    soft[dev.softmetrics.job.aggregate.SoftColumn.MEAN_ENTROPY.ordinal()] = entropy;
    // NaN (a chunk without reference logits) leaves the sequence without the reference columns.
    soft[dev.softmetrics.job.aggregate.SoftColumn.KL_FORWARD.ordinal()] = klForward;
    soft[dev.softmetrics.job.aggregate.SoftColumn.KL_REVERSE.ordinal()] = klReverse;
    soft[dev.softmetrics.job.aggregate.SoftColumn.CROSS_ENTROPY_REF.ordinal()] = crossEntropy;
    return new Assembled(
        key,
        true,
        expected,
        vocab,
        nll,
        soft,
        counted.bytes(),
        chars,
        words,
        chunks.get(0).file(),
        chunks.get(0).row(),
        List.copyOf(chunks),
        List.of());
  }

  private static Assembled rejected(SequenceKey key, List<Chunk> rejected) {
    return new Assembled(
        key, false, 0, 0, Double.NaN, null, -1, -1, -1, null, -1, List.of(), rejected);
  }

  private static Assembled rejectAll(
      SequenceKey key,
      List<Chunk> chunks,
      Rejection rejection,
      java.util.function.Function<Chunk, String> message) {
    List<Chunk> rejected = new ArrayList<>();
    for (Chunk c : chunks) {
      rejected.add(c.rejectedAs(rejection, message.apply(c)));
    }
    return rejected(key, rejected);
  }

  private static String describe(SequenceKey key) {
    return "sequence "
        + key.sequenceId()
        + " (model "
        + key.model()
        + ", tokenizer "
        + key.tokenizer()
        + ", domain "
        + key.domain()
        + ")";
  }

  private static String spans(List<Chunk> chunks) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(chunks.size(), SPANS_SHOWN); i++) {
      out.append(i == 0 ? "" : " ").append(chunks.get(i).span());
    }
    if (chunks.size() > SPANS_SHOWN) {
      out.append(" and ").append(chunks.size() - SPANS_SHOWN).append(" more");
    }
    return out.toString();
  }

  private static String counts(Chunk c) {
    return "bytes "
        + c.bytes()
        + (c.chars() >= 0 ? ", chars " + c.chars() : "")
        + (c.words() >= 0 ? ", words " + c.words() : "");
  }
}
