package dev.softmetrics.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.tables.SoftColumn;
import java.util.List;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/**
 * Rows that alternate between groups reach the right group's totals however their labels come: one
 * shared object per value (labels from dictionary pages), equal values in distinct objects, more
 * groups than are remembered at once, and extra labels.
 */
class PassTotalsGroupsTest {
  private static UTF8String s(String v) {
    return UTF8String.fromString(v);
  }

  private static final UTF8String[] NONE = new UTF8String[0];

  @Test
  void alternatingRowsReachTheirGroupsWhateverObjectsHoldTheLabels() {
    PassTotals totals = new PassTotals();
    UTF8String tok = s("tok");
    // Ten domains (more than the groups remembered by identity), two models, shared objects.
    UTF8String[] models = {s("m-a"), s("m-b")};
    UTF8String[] domains = new UTF8String[10];
    for (int d = 0; d < domains.length; d++) {
      domains[d] = s("d" + d);
    }
    long[][] expectedTokens = new long[2][10];
    for (int i = 0; i < 2000; i++) {
      int m = i % 2;
      int d = (i / 2) % 10;
      // Every third row brings equal values in objects of its own.
      boolean fresh = i % 3 == 0;
      UTF8String model = fresh ? s(models[m].toString()) : models[m];
      UTF8String domain = fresh ? s(domains[d].toString()) : domains[d];
      long tokens = 1 + (i % 7);
      totals.addScored(
          s("seq" + i),
          model,
          tok,
          domain,
          NONE,
          "f",
          tokens,
          1.0,
          10,
          10,
          2,
          SoftColumn.none(),
          0);
      expectedTokens[m][d] += tokens;
    }
    List<GroupTotals> groups = totals.groups();
    assertThat(groups).hasSize(20);
    for (GroupTotals g : groups) {
      int m = g.model().equals("m-a") ? 0 : 1;
      int d = Integer.parseInt(g.domain().substring(1));
      assertThat(g.tokens()).as("%s %s", g.model(), g.domain()).isEqualTo(expectedTokens[m][d]);
      assertThat(g.sequences()).isEqualTo(100);
    }
  }

  @Test
  void extraLabelsSeparateGroupsByTheirValues() {
    PassTotals totals = new PassTotals();
    UTF8String model = s("m");
    UTF8String tok = s("t");
    UTF8String domain = s("d");
    UTF8String en = s("en");
    UTF8String fr = s("fr");
    for (int i = 0; i < 30; i++) {
      UTF8String lang = i % 3 == 0 ? fr : i % 3 == 1 ? en : s("en");
      totals.addScored(
          s("q" + i),
          model,
          tok,
          domain,
          new UTF8String[] {lang},
          "f",
          1,
          1.0,
          1,
          1,
          1,
          SoftColumn.none(),
          0);
    }
    List<GroupTotals> groups = totals.groups();
    assertThat(groups).hasSize(2);
    assertThat(groups).extracting(GroupTotals::sequences).containsExactlyInAnyOrder(20L, 10L);
  }
}
