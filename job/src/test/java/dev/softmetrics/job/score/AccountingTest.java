package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.io.InputFiles;
import dev.softmetrics.job.tables.SequenceRow;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

class AccountingTest {
  private static final UTF8String MODEL = UTF8String.fromString("m");
  private static final UTF8String TOKENIZER = UTF8String.fromString("t");
  private static final UTF8String DOMAIN = UTF8String.fromString("d");

  private static InputFiles.InputFile footer(String path, long rows) {
    return new InputFiles.InputFile(path, 100, Instant.EPOCH, rows, new StructType(), null);
  }

  private static void scored(PassTotals totals, String file, int rows) {
    for (int i = 0; i < rows; i++) {
      totals.addScored(
          UTF8String.fromString("s-" + i),
          MODEL,
          TOKENIZER,
          DOMAIN,
          SequenceRow.NO_EXTRA_LABELS,
          file,
          3,
          1.5,
          10,
          10,
          2,
          null,
          0);
    }
  }

  @Test
  void everyRowScoredOrRejectedBalances() {
    PassTotals totals = new PassTotals();
    scored(totals, "file:/a", 3);
    totals.addRejected("file:/a", "EMPTY_LOGPROBS");
    scored(totals, "file:/b", 2);

    Accounting accounting =
        Accounting.reconcile(
            List.of(footer("file:/a", 4), footer("file:/b", 2), footer("file:/empty", 0)),
            totals.files());

    assertThat(accounting.balanced()).isTrue();
    assertThat(accounting.unbalanced()).isEmpty();
    assertThat(accounting.rowsRead()).isEqualTo(6);
    assertThat(accounting.scored()).isEqualTo(5);
    assertThat(accounting.rejected()).isEqualTo(1);
    assertThat(accounting.files()).hasSize(3);
  }

  @Test
  void aLostRowUnbalancesItsFileAndIsNamed() {
    PassTotals totals = new PassTotals();
    scored(totals, "file:/a", 3);
    scored(totals, "file:/b", 2);

    Accounting accounting =
        Accounting.reconcile(List.of(footer("file:/a", 4), footer("file:/b", 2)), totals.files());

    assertThat(accounting.balanced()).isFalse();
    assertThat(accounting.unbalanced()).containsExactly("file:/a (read 4, scored 3, rejected 0)");
  }

  @Test
  void aFileTheFootersDoNotListUnbalances() {
    PassTotals totals = new PassTotals();
    scored(totals, "file:/a", 1);
    scored(totals, "file:/ghost", 1);

    Accounting accounting = Accounting.reconcile(List.of(footer("file:/a", 1)), totals.files());

    assertThat(accounting.balanced()).isFalse();
    assertThat(accounting.unbalanced())
        .containsExactly("file:/ghost (read 0, scored 1, rejected 0)");
    assertThat(accounting.rowsRead()).isEqualTo(1);
    assertThat(accounting.scored()).isEqualTo(2);
  }

  @Test
  void aFileThePassNeverSawUnbalancesUnlessEmpty() {
    Accounting accounting =
        Accounting.reconcile(
            List.of(footer("file:/unread", 5), footer("file:/empty", 0)), new PassTotals().files());

    assertThat(accounting.unbalanced())
        .containsExactly("file:/unread (read 5, scored 0, rejected 0)");
  }
}
