package dev.softmetrics.notebooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTablesTest {
  @TempDir Path root;

  @Test
  void eachRunAndTableIsAViewAndPrintsAsAnAlignedTable() throws Exception {
    writeRuns();
    try (DemoTables t = DemoTables.open(root)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      t.print(
          "SELECT model, tokens, ppl_token, flags, note FROM heldout_corpus ORDER BY model",
          new PrintStream(bytes, true, StandardCharsets.UTF_8));
      assertThat(bytes.toString(StandardCharsets.UTF_8))
          .isEqualTo(
              "model  tokens  ppl_token  flags         note\n"
                  + "-----  ------  ---------  ------------  ----\n"
                  + "kn2    97,935    83.0188  []            -\n"
                  + "kn3     1,000   12,345.7  [KL_WARNING]  x\n");
      assertThat(t.doubles("SELECT ppl_token FROM heldout_corpus ORDER BY model"))
          .containsExactly(83.01875, 12345.678);
      assertThat(t.numbers("SELECT tokens FROM heldout_corpus ORDER BY model"))
          .containsExactly(97_935.0, 1_000.0);
      assertThat(t.strings("SELECT model FROM logits_runs")).containsExactly("logits");
      assertThat(t.number("SELECT count(*) FROM rollouts_sequences")).isEqualTo(1);
      assertThatThrownBy(() -> t.number("SELECT tokens FROM heldout_corpus"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("Invalid query result: 2 rows (must be 1) from SELECT");
      assertThatThrownBy(() -> t.show("SELECT nope FROM heldout_corpus"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Cannot run SELECT nope FROM heldout_corpus: ");
    }
  }

  @Test
  void aMissingRunIsNamedWithWhatToDo() {
    assertThatThrownBy(() -> DemoTables.open(root))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "Cannot read the demo's tables: no " + root.resolve("heldout/sequences"))
        .hasMessageContaining("run bin/softmetrics demo, or set SOFTMETRICS_DEMO_OUTPUT");
  }

  /** One file per run and table; heldout's corpus has two rows to print. */
  private void writeRuns() throws Exception {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      for (String run : DemoTables.RUNS) {
        for (String table : DemoTables.TABLES) {
          Path dir = Files.createDirectories(root.resolve(run).resolve(table));
          String rows =
              run.equals("heldout") && table.equals("corpus")
                  ? "SELECT * FROM (VALUES ('kn3', 1000::BIGINT, 12345.678::DOUBLE,"
                      + " ['KL_WARNING'], 'x'), ('kn2', 97935::BIGINT, 83.01875::DOUBLE,"
                      + " []::VARCHAR[], NULL)) v(model, tokens, ppl_token, flags, note)"
                  : "SELECT '" + run + "' AS model";
          st.execute("COPY (" + rows + ") TO '" + dir.resolve("part-0.parquet") + "'");
        }
      }
    }
  }
}
