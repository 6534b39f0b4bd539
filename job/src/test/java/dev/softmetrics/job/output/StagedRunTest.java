package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.LocalSparkTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit protocol on hand-made folders: a plan interrupted half-way is completed by the next
 * run, a run that never committed is discarded, and live partitions the plan does not name stay.
 * Partition contents are marker files, so each swap can be followed.
 */
class StagedRunTest extends LocalSparkTest {
  @TempDir Path out;

  private final List<String> log = new ArrayList<>();

  @Test
  void aPlanInterruptedHalfWayIsCompletedAndEachPartitionIsOldOrNewNeverBoth() throws IOException {
    marker("sequences/file_key=fa", "old-a");
    marker("sequences/file_key=fb", "old-b");
    marker("sequences/file_key=fz", "other-run");
    marker("rejected/file_key=fb", "old-b-rejected");
    // Run x replaces a (swapped already before the kill), b (no rows now) and c (not swapped yet).
    marker("_staging/x/replaced/sequences/file_key=fa", "old-a");
    delete("sequences/file_key=fa");
    marker("sequences/file_key=fa", "new-a");
    marker("_staging/x/sequences/file_key=fc", "new-c");
    plan(
        "x",
        "sequences\tfa\ttrue",
        "sequences\tfb\tfalse",
        "sequences\tfc\ttrue",
        "rejected\tfa\tfalse",
        "rejected\tfb\tfalse",
        "rejected\tfc\tfalse");

    StagedRun.begin(spark, out.toString(), "y", log::add).close();

    assertThat(markers("sequences")).containsExactlyInAnyOrder("new-a", "new-c", "other-run");
    assertThat(markers("rejected")).isEmpty();
    assertThat(out.resolve("_staging/x")).doesNotExist();
    assertThat(log).singleElement().asString().contains("finished committing run x");
  }

  @Test
  void aRunThatNeverCommittedIsDiscardedAndTheLiveTablesStay() throws IOException {
    marker("sequences/file_key=fa", "old-a");
    marker("_staging/x/sequences/file_key=fa", "half-written");

    StagedRun.begin(spark, out.toString(), "y", log::add).close();

    assertThat(markers("sequences")).containsExactly("old-a");
    assertThat(out.resolve("_staging")).isEmptyDirectory();
    assertThat(log)
        .singleElement()
        .asString()
        .contains("discarded the uncommitted output of run x");
  }

  @Test
  void replayingACompletedPlanChangesNothing() throws IOException {
    marker("sequences/file_key=fa", "new-a");
    marker("_staging/x/replaced/sequences/file_key=fa", "old-a");
    plan("x", "sequences\tfa\ttrue", "sequences\tfb\tfalse");

    StagedRun.begin(spark, out.toString(), "y", log::add).close();

    assertThat(markers("sequences")).containsExactly("new-a");
  }

  @Test
  void theRunsRowACommittedRunLeftIsAppendedOnceEvenWhenRecoveryRepeats() throws IOException {
    plan("x", "sequences\tfa\tfalse");
    marker("_staging/x/runs", "part-00000-left.parquet");
    StagedRun.begin(spark, out.toString(), "y", log::add).close();
    assertThat(out.resolve("runs/part-00000-left.parquet")).hasContent("part-00000-left.parquet");

    // Killed after its final row went in, before its staging folder was deleted.
    plan("z", "sequences\tfa\tfalse");
    marker("_staging/z/runs", "part-00000-left.parquet");
    Files.writeString(out.resolve("runs/part-00000-left.parquet"), "final row");
    StagedRun.begin(spark, out.toString(), "y", log::add).close();

    assertThat(out.resolve("runs/part-00000-left.parquet")).hasContent("final row");
    try (Stream<Path> runs = Files.list(out.resolve("runs"))) {
      assertThat(runs).hasSize(1);
    }
    assertThat(out.resolve("_staging")).isEmptyDirectory();
  }

  @Test
  void aDeleteOutsideTheStagingFolderIsRefused() throws IOException {
    marker("sequences/file_key=fa", "old-a");
    var fs = org.apache.hadoop.fs.FileSystem.getLocal(spark.sparkContext().hadoopConfiguration());
    var output = new org.apache.hadoop.fs.Path(out.toString());
    for (String outside : List.of("sequences", "_staging", "_staging/..", "../elsewhere")) {
      var path = new org.apache.hadoop.fs.Path(output, outside);
      assertThatThrownBy(() -> StagedRun.deleteStage(fs, output, path))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("Refusing to delete ");
    }
    assertThat(markers("sequences")).containsExactly("old-a");
  }

  @Test
  void anOutputFolderOfTheOldFlatLayoutIsRefusedWithWhatToDo() throws IOException {
    Files.createDirectories(out.resolve("sequences"));
    Files.writeString(out.resolve("sequences/part-00000.parquet"), "x");
    assertThatThrownBy(() -> StagedRun.begin(spark, out.toString(), "y", log::add))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sequences/ holds Parquet files outside file_key= folders")
        .hasMessageContaining("use another --output");
  }

  private void marker(String dir, String name) throws IOException {
    Files.createDirectories(out.resolve(dir));
    Files.writeString(out.resolve(dir).resolve(name), name);
  }

  private void delete(String dir) throws IOException {
    try (Stream<Path> files = Files.walk(out.resolve(dir))) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private void plan(String run, String... lines) throws IOException {
    Files.createDirectories(out.resolve("_staging").resolve(run));
    Files.writeString(
        out.resolve("_staging").resolve(run).resolve("_COMMIT"),
        String.join("\n", lines) + "\n",
        StandardCharsets.UTF_8);
  }

  /** The marker files in the partitions of a table (the empty partition's files aside). */
  private List<String> markers(String table) throws IOException {
    Path dir = out.resolve(table);
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> !p.getParent().getFileName().toString().equals("file_key=empty"))
          .map(p -> p.getFileName().toString())
          .toList();
    }
  }
}
