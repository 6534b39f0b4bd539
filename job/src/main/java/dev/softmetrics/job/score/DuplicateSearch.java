package dev.softmetrics.job.score;

import dev.softmetrics.job.score.batch.CandidateKey;
import dev.softmetrics.job.score.batch.DuplicateCopies;
import dev.softmetrics.job.score.batch.RejectionMessages;
import dev.softmetrics.job.score.batch.SequenceKey;
import dev.softmetrics.udfs.Rejection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import scala.Tuple2;

/**
 * Finds the sequences a run scored more than once: the same (sequence_id, model, tokenizer) from
 * two input rows (logprobs layout) or two assembled sequences, for instance in two domains (logits
 * layout), or from one input row while {@code sequences/} holds it from another file ({@link
 * StoredCopies}). The scoring pass sends each scored key's 64-bit hash to the driver; when all
 * hashes differ and none is stored, which is the common case, there is no duplicate and nothing
 * more is read. Otherwise only the candidates are looked up, their keys compared exactly, and of
 * each set of copies the stored one is kept, else the first by source file and row.
 */
final class DuplicateSearch {
  private DuplicateSearch() {}

  /**
   * The copies to reject, each with the copy kept; empty when the pass scored every key once.
   *
   * @throws IllegalArgumentException for the first duplicate under {@code validation.on-bad-row =
   *     fail}
   */
  static DuplicateCopies find(ScoringPass pass, StoredCopies stored) {
    long[] candidates = StoredCopies.union(pass.totals().repeatedKeys(), stored.hashes());
    if (candidates.length == 0) {
      return DuplicateCopies.NONE;
    }
    DuplicateCopies found;
    if (pass.logits() != null) {
      Map<SequenceKey, DuplicateCopies.Copy> sequences = new HashMap<>();
      for (Tuple2<SequenceKey, DuplicateCopies.Copy> c : pass.logits().copies(candidates)) {
        sequences.put(c._1(), c._2());
      }
      Map<DuplicateCopies.Copy, SequenceKey> byCopy = new HashMap<>();
      sequences.forEach((key, copy) -> byCopy.put(copy, key));
      Map<DuplicateCopies.Copy, DuplicateCopies.Copy> rejected =
          rejectedCopies(sequences.values(), copy -> identity(byCopy.get(copy)), stored);
      failOnFirst(pass, rejected, copy -> identity(byCopy.get(copy)));
      Map<SequenceKey, DuplicateCopies.Copy> duplicates = new HashMap<>();
      rejected.forEach((copy, kept) -> duplicates.put(byCopy.get(copy), kept));
      found = DuplicateCopies.ofSequences(duplicates);
    } else {
      Map<DuplicateCopies.Copy, List<String>> keys = new HashMap<>();
      for (InternalRow row : pass.keysOf(candidates)) {
        keys.put(CandidateKey.copy(row), CandidateKey.identity(row));
      }
      Map<DuplicateCopies.Copy, DuplicateCopies.Copy> rejected =
          rejectedCopies(keys.keySet(), keys::get, stored);
      failOnFirst(pass, rejected, keys::get);
      found = DuplicateCopies.ofRows(rejected);
    }
    return found;
  }

  /** (sequence_id, model, tokenizer, extra labels...) of an assembled sequence. */
  private static List<String> identity(SequenceKey key) {
    return key.identity();
  }

  /**
   * Of each set of copies with the same identity, every copy but the kept one, mapped to it: the
   * stored copy when there is one (then every copy of the run is rejected), else the first by file
   * and row.
   */
  private static Map<DuplicateCopies.Copy, DuplicateCopies.Copy> rejectedCopies(
      Iterable<DuplicateCopies.Copy> copies,
      java.util.function.Function<DuplicateCopies.Copy, List<String>> identity,
      StoredCopies stored) {
    Map<List<String>, List<DuplicateCopies.Copy>> byIdentity = new LinkedHashMap<>();
    for (DuplicateCopies.Copy copy : copies) {
      byIdentity.computeIfAbsent(identity.apply(copy), k -> new ArrayList<>()).add(copy);
    }
    Map<DuplicateCopies.Copy, DuplicateCopies.Copy> rejected = new HashMap<>();
    byIdentity.forEach(
        (key, same) -> {
          same.sort(DuplicateCopies.Copy.ORDER);
          DuplicateCopies.Copy kept = stored.of(key);
          for (int i = kept == null ? 1 : 0; i < same.size(); i++) {
            rejected.put(same.get(i), kept == null ? same.get(0) : kept);
          }
        });
    return rejected;
  }

  private static void failOnFirst(
      ScoringPass pass,
      Map<DuplicateCopies.Copy, DuplicateCopies.Copy> rejected,
      java.util.function.Function<DuplicateCopies.Copy, List<String>> identity) {
    if (rejected.isEmpty() || !pass.failsOnBadRow()) {
      return;
    }
    DuplicateCopies.Copy first =
        rejected.keySet().stream().min(DuplicateCopies.Copy.ORDER).orElseThrow();
    List<String> key = identity.apply(first);
    throw RejectionMessages.stopAtBadRow(
        Rejection.DUPLICATE_SEQUENCE.code(),
        RejectionMessages.duplicateSequence(
            key.get(0), key.get(1), key.get(2), first.where(), rejected.get(first)));
  }
}
