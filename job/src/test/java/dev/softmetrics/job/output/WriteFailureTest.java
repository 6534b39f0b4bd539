package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.softmetrics.job.FullDiskFileSystem;
import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.cli.Failures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full or read-only disk under the output folder: the run ends with one line naming the folder
 * and the cause (exit status 1), and the next run completes the tables, with a runs/ row for every
 * run whose rows are stored.
 */
class WriteFailureTest extends LocalSparkTest {
  @TempDir Path tmp;

  private String out;

  @BeforeEach
  void useTheFullDiskFileSystem() {
    spark
        .sparkContext()
        .hadoopConfiguration()
        .set("fs." + FullDiskFileSystem.SCHEME + ".impl", FullDiskFileSystem.class.getName());
    out = FullDiskFileSystem.SCHEME + "://" + tmp.resolve("out");
  }

  @AfterEach
  void disarm() {
    FullDiskFileSystem.disarm();
  }

  @Test
  void noSpaceWhileWritingCorpusIsOneLineAndTheNextRunAccountsForBothRuns() {
    String a = OutputFolderTest.shard(tmp.resolve("a"));
    String b = OutputFolderTest.shard(tmp.resolve("b"));
    FullDiskFileSystem.arm("/.corpus-", FullDiskFileSystem.Failure.NO_SPACE);

    Throwable error = catchThrowable(() -> OutputFolderTest.score(a, out, "first"));

    assertThat(Failures.line(error))
        .isEqualTo(
            "softmetrics: error: Cannot write "
                + out
                + "/corpus: no space left on device (free space there and run again; the next"
                + " run completes or discards what this one left)");
    assertThat(Failures.exitCode(error)).isEqualTo(1);

    FullDiskFileSystem.disarm();
    OutputFolderTest.score(b, out, "second");

    Map<String, Long> scoredPerRun = new TreeMap<>();
    for (Row r : spark.read().parquet(out + "/runs").collectAsList()) {
      scoredPerRun.put(r.getAs("run_id"), r.getAs("sequences_scored"));
    }
    Map<String, Long> storedPerRun = new TreeMap<>();
    for (Row r :
        spark.read().parquet(out + "/sequences").groupBy("run_id").count().collectAsList()) {
      storedPerRun.put(r.getString(0), r.getLong(1));
    }
    assertThat(scoredPerRun).isEqualTo(storedPerRun).isEqualTo(Map.of("first", 3L, "second", 3L));
    assertThat(
            spark
                .read()
                .parquet(out + "/runs")
                .where("run_id = 'first'")
                .select("status")
                .first()
                .getString(0))
        .isEqualTo("succeeded (committed by a later run)");
    String fresh = tmp.resolve("fresh").toString();
    OutputFolderTest.scoreAll(List.of(a, b), fresh, "fresh");
    assertThat(Shards.tableRows(spark, out + "/corpus"))
        .isEqualTo(Shards.tableRows(spark, fresh + "/corpus"));
  }

  @Test
  void noSpaceWhileTheTasksWriteSequencesIsOneLineAndTheNextRunCompletes() {
    String a = OutputFolderTest.shard(tmp.resolve("a"));
    FullDiskFileSystem.arm(
        "/_staging/first/sequences/" + SequenceFiles.ATTEMPTS + "/",
        FullDiskFileSystem.Failure.NO_SPACE);

    Throwable error = catchThrowable(() -> OutputFolderTest.score(a, out, "first"));

    String staged = new org.apache.hadoop.fs.Path(out + "/_staging/first/sequences").toString();
    assertThat(Failures.line(error))
        .isEqualTo(
            "softmetrics: error: Cannot write "
                + staged
                + ": no space left on device (free space there and run again; the next run"
                + " completes or discards what this one left)");
    assertThat(Failures.exitCode(error)).isEqualTo(1);

    theNextRunCompletesAlone(a);
  }

  @Test
  void aReadOnlyDiskWhileStagingIsOneLineAndTheNextRunCompletes() {
    String a = OutputFolderTest.shard(tmp.resolve("a"));
    FullDiskFileSystem.arm("/_staging/first/sequences/", FullDiskFileSystem.Failure.READ_ONLY);

    Throwable error = catchThrowable(() -> OutputFolderTest.score(a, out, "first"));

    String staged = new org.apache.hadoop.fs.Path(out + "/_staging/first/sequences").toString();
    assertThat(Failures.line(error))
        .startsWith(
            "softmetrics: error: Cannot write " + staged + ": it is read-only or not writable: ")
        .endsWith("(Read-only file system) (make it writable or choose another --output)");
    assertThat(Failures.exitCode(error)).isEqualTo(1);

    theNextRunCompletesAlone(a);
  }

  /**
   * After a run that failed before its commit: a second run of {@code input} stores its rows and
   * its runs/ row alone, and leaves no staging folder.
   */
  private void theNextRunCompletesAlone(String input) {
    FullDiskFileSystem.disarm();
    OutputFolderTest.score(input, out, "second");

    assertThat(spark.read().parquet(out + "/runs").select("run_id").collectAsList())
        .map(r -> r.getString(0))
        .containsExactly("second");
    assertThat(spark.read().parquet(out + "/sequences").count()).isEqualTo(3);
    assertThat(tmp.resolve("out/_staging")).isEmptyDirectory();
  }
}
