package dev.softmetrics.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.corpus.CorpusFlags;
import dev.softmetrics.udfs.corpus.ExactSum;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which KL the flags read, and the per-sequence unit RL libraries log, on a group of two rollouts
 * whose sums are chosen by hand.
 */
class KlUnitsTest {
  private static final CorpusFlags FLAGS = new CorpusFlags(0.1, 0.9, 5, 10);

  /**
   * Two sequences of 10 and 30 tokens from a policy far sharper than its reference: k1 sums 70 and
   * 170 (6 nats per token), k3 sums 30 and 90 (3 per token, the shortfall of a sharp policy's
   * samples: docs/RL.md).
   */
  private static GroupTotals rollouts(Double klReverseSum) {
    ExactSum[] soft = new ExactSum[SoftColumn.COUNT];
    soft[SoftColumn.KL_K1.ordinal()] = sum(70, 170);
    soft[SoftColumn.KL_K3.ordinal()] = sum(30, 90);
    if (klReverseSum != null) {
      soft[SoftColumn.KL_REVERSE.ordinal()] = sum(klReverseSum);
    }
    return new GroupTotals(
        "policy",
        "tok",
        "rollout",
        2,
        40,
        400,
        null,
        null,
        sum(80),
        soft,
        0,
        new PositionTotals(),
        List.of());
  }

  private static ExactSum sum(double... values) {
    ExactSum s = new ExactSum();
    for (double v : values) {
      s.add(v);
    }
    return s;
  }

  @Test
  void theFlagsReadK1NotK3WithoutLogits() {
    CorpusRow row = CorpusAggregation.rows(List.of(rollouts(null)), FLAGS).get(0);
    assertThat(row.soft(SoftColumn.KL_K1)).isEqualTo(6.0);
    assertThat(row.soft(SoftColumn.KL_K3)).isEqualTo(3.0);
    assertThat(row.flags()).containsExactly(CorpusFlags.KL_WARNING);
  }

  @Test
  void theFlagsReadTheExactKlWhereLogitsGiveIt() {
    CorpusRow row = CorpusAggregation.rows(List.of(rollouts(440.0)), FLAGS).get(0);
    assertThat(row.soft(SoftColumn.KL_REVERSE)).isEqualTo(11.0);
    assertThat(row.flags()).containsExactly(CorpusFlags.KL_ALARM);
  }

  @Test
  void perSequenceKlIsTheSumOverTokensAveragedOverSequences() {
    List<CorpusRow> rows = CorpusAggregation.rows(List.of(rollouts(null)), FLAGS);
    for (CorpusRow row : rows) {
      // (70 + 170) / 2 and (30 + 90) / 2, in the group and in its __all__ roll-up.
      assertThat(row.perSequence(SoftColumn.KL_K1)).isEqualTo(120.0);
      assertThat(row.perSequence(SoftColumn.KL_K3)).isEqualTo(60.0);
      assertThat(row.perSequence(SoftColumn.KL_REVERSE)).isNull();
    }
    assertThat(rows).extracting(CorpusRow::domain).containsExactly("rollout", "__all__");
  }
}
