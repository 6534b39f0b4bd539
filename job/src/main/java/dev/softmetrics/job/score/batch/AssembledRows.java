package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.aggregate.PassAccumulator;
import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.score.batch.SequenceAssembler.Assembled;
import dev.softmetrics.job.tables.RejectedRow;
import dev.softmetrics.job.tables.SequenceRow;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.corpus.CorpusMetrics;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Turns assembled sequences into table rows: scored sequences (counting the partition's totals,
 * added to the run's accumulator when the partition is done) or rejected rows.
 */
public final class AssembledRows implements FlatMapFunction<Iterator<Assembled>, InternalRow> {
  private static final long serialVersionUID = 1L;
  private final String runId;
  private final PartitionScorer.Emit emit;
  private final PassAccumulator totals;
  private final PartitionScorer.RowChecks checks;

  public AssembledRows(
      String runId,
      PartitionScorer.Emit emit,
      PassAccumulator totals,
      PartitionScorer.RowChecks checks) {
    this.runId = runId;
    this.emit = emit;
    this.totals = totals;
    this.checks = checks;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<Assembled> sequences) {
    UTF8String run = UTF8String.fromString(runId);
    PassTotals partition = totals != null ? totals.newTaskTotals() : new PassTotals();
    PositionBuckets.Sums positions = new PositionBuckets.Sums();
    List<InternalRow> rows = new ArrayList<>();
    while (sequences.hasNext()) {
      Assembled a = sequences.next();
      SequenceKey key = a.key();
      List<Chunk> rejected = new ArrayList<>(a.rejected());
      DuplicateCopies.Copy kept = a.scored() ? checks.duplicates().keptFor(key) : null;
      if (kept != null) {
        for (Chunk c : a.scoredChunks()) {
          rejected.add(duplicate(c, key, kept));
        }
      }
      for (Chunk c : rejected) {
        Rejection reason = Rejection.ofId(c.status());
        if (checks.failOnBadRow()) {
          throw RejectionMessages.stopAtBadRow(reason.code(), c.message());
        }
        partition.addRejected(c.file(), reason.code());
        if (emit == PartitionScorer.Emit.REJECTED) {
          rows.add(rejectedRow(run, key, c, reason));
        }
      }
      if (a.scored() && kept == null) {
        InternalRow row = scored(run, a, partition, positions);
        if (emit == PartitionScorer.Emit.SCORED) {
          rows.add(row);
        }
      }
    }
    if (totals != null) {
      totals.add(partition);
    }
    return rows.iterator();
  }

  /** A chunk of a scored sequence that {@code kept} makes a duplicate. */
  private static Chunk duplicate(Chunk c, SequenceKey key, DuplicateCopies.Copy kept) {
    return c.rejectedAs(
        Rejection.DUPLICATE_SEQUENCE, RejectionMessages.duplicateSequenceChunk(key, c, kept));
  }

  private static InternalRow rejectedRow(
      UTF8String run, SequenceKey key, Chunk c, Rejection reason) {
    return new RejectedRow(
            run,
            utf8(key.sequenceId()),
            utf8(key.model()),
            utf8(key.tokenizer()),
            utf8(key.domain()),
            UTF8String.fromString(c.file()),
            c.row(),
            reason,
            c.message())
        .toInternalRow();
  }

  /**
   * Counts a scored sequence in {@code partition} and builds its row of {@code sequences/}; its
   * chunks' position buckets are summed in {@code positions}, in position order.
   */
  private static InternalRow scored(
      UTF8String run, Assembled a, PassTotals partition, PositionBuckets.Sums positions) {
    SequenceKey key = a.key();
    UTF8String model = utf8(key.model());
    UTF8String tokenizer = utf8(key.tokenizer());
    UTF8String domain = utf8(key.domain());
    UTF8String sequenceId = utf8(key.sequenceId());
    UTF8String[] extras = extraLabels(key);
    partition.addSequence(
        sequenceId,
        model,
        tokenizer,
        domain,
        extras,
        a.tokens(),
        a.nll(),
        a.bytes(),
        a.chars(),
        a.words(),
        a.soft(),
        a.vocab());
    positions.clear();
    for (Chunk c : a.scoredChunks()) {
      partition.addScoredRow(c.file());
      c.positions().addTo(positions);
    }
    partition.addPositions(positions);
    partition.addSequenceKey(
        a.sourceFile(), SequenceKeyHash.of(key.sequenceId(), key.model(), key.tokenizer()));
    long t = a.tokens();
    return new SequenceRow(
            run,
            sequenceId,
            model,
            tokenizer,
            domain,
            t,
            a.nll(),
            CorpusMetrics.meanNll(a.nll(), t),
            CorpusMetrics.pplToken(a.nll(), t),
            a.bytes(),
            a.chars(),
            a.words(),
            a.soft(),
            a.vocab(),
            UTF8String.fromString(a.sourceFile()),
            positions,
            extras)
        .toInternalRow();
  }

  private static UTF8String[] extraLabels(SequenceKey key) {
    if (key.extraLabels().isEmpty()) {
      return SequenceRow.NO_EXTRA_LABELS;
    }
    return key.extraLabels().stream().map(UTF8String::fromString).toArray(UTF8String[]::new);
  }

  private static UTF8String utf8(String s) {
    return s == null ? null : UTF8String.fromString(s);
  }
}
