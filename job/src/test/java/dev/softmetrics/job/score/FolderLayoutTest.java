package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.output.RunRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the input folders are listed: plain subfolders at any depth are read, {@code key=value}
 * folders at any depth label their files' rows, hidden names are skipped, and a folder label that
 * is also a column of the file is refused. Expected values are written by hand from the fixtures.
 */
class FolderLayoutTest extends LocalSparkTest {

  @TempDir Path tmp;
  private int staged;

  private static final StructType WITH_LABELS =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("model", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("text", DataTypes.StringType);

  private static final StructType WITHOUT_MODEL =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("text", DataTypes.StringType);

  /** A file of one row {@code id} (nll {@code nll}, one token) at {@code relative} under tmp. */
  private Path place(String relative, String id, double nll) {
    return place(
        relative, WITH_LABELS, RowFactory.create(id, "m", "t", "d", new double[] {-nll}, "ab"));
  }

  /** A file of one row without a model column at {@code relative}. */
  private Path placeUnlabelled(String relative, String id, double nll) {
    return place(
        relative, WITHOUT_MODEL, RowFactory.create(id, "t", "d", new double[] {-nll}, "ab"));
  }

  private Path place(String relative, StructType schema, Row row) {
    Path written = Shards.write(spark, tmp.resolve("staging-" + staged++), schema, List.of(row));
    Path target = tmp.resolve(relative);
    try {
      Files.createDirectories(target.getParent());
      Files.move(written, target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  private RunResult score(String input) {
    return ScoreJob.run(
        spark,
        new ScoreRequest(
            List.of(tmp.resolve(input).toString()),
            tmp.resolve("out").toString(),
            "r",
            JobConfig.defaults()));
  }

  /** sequences/ as sequence_id to "model nll_sum". */
  private Map<String, String> sequences() {
    Map<String, String> out = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .parquet(tmp.resolve("out/sequences").toString())
            .select("sequence_id", "model", "nll_sum")
            .collectAsList()) {
      out.put(r.getString(0), r.getString(1) + " " + r.getDouble(2));
    }
    return out;
  }

  private static List<String> paths(RunResult result) {
    return result.run().inputFiles().stream().map(RunRecord.InputFile::path).sorted().toList();
  }

  @Test
  void filesInPlainSubfoldersAreScoredAccountedAndListedInRuns() {
    Path a = place("in/part-a.parquet", "a", 1.5);
    Path c = place("in/sub/part-c.parquet", "c", 2.0);
    Path d = place("in/sub/deeper/part-d.parquet", "d", 0.25);

    RunResult result = score("in");

    assertThat(sequences()).isEqualTo(Map.of("a", "m 1.5", "c", "m 2.0", "d", "m 0.25"));
    assertThat(result.run().accountingOk()).isTrue();
    assertThat(result.run().rowsRead()).isEqualTo(3);
    assertThat(paths(result)).containsExactly("file:" + a, "file:" + d, "file:" + c);
    assertThat(result.run().inputFiles()).allMatch(f -> f.rowsRead() == 1 && f.scored() == 1);
  }

  @Test
  void aFolderHoldingOnlySubfoldersIsRead() {
    place("in/a/x.parquet", "x", 1.0);
    place("in/b/y.parquet", "y", 3.0);

    RunResult result = score("in");

    assertThat(sequences()).isEqualTo(Map.of("x", "m 1.0", "y", "m 3.0"));
    assertThat(result.run().rowsRead()).isEqualTo(2);
  }

  @Test
  void keyValueFoldersLabelRowsAtAnyDepthBelowPlainFolders() {
    placeUnlabelled("evals/2026-12-01/model=x/part-0.parquet", "s1", 1.0);
    placeUnlabelled("evals/model=a/2026-12-02/part-0.parquet", "s2", 2.0);

    RunResult result = score("evals");

    assertThat(sequences()).isEqualTo(Map.of("s1", "x 1.0", "s2", "a 2.0"));
    assertThat(result.run().accountingOk()).isTrue();
  }

  @Test
  void hiddenFilesAndFoldersAreSkippedAtAnyDepth() throws IOException {
    Path a = place("in/part-a.parquet", "a", 1.0);
    Path c = place("in/sub/part-c.parquet", "c", 2.0);
    place("in/_temporary/part-t.parquet", "t", 5.0);
    place("in/sub/.staging/part-s.parquet", "s", 5.0);
    place("in/sub/_tmp/part-u.parquet", "u", 5.0);
    place("in/sub/.part-h.parquet", "h", 5.0);
    Files.createFile(tmp.resolve("in/sub/_SUCCESS"));
    Files.writeString(tmp.resolve("in/sub/part-q.parquet._COPYING_"), "half a copy");

    RunResult result = score("in");

    assertThat(sequences()).isEqualTo(Map.of("a", "m 1.0", "c", "m 2.0"));
    assertThat(paths(result)).containsExactly("file:" + a, "file:" + c);
  }

  @Test
  void aSymbolicLinkLoopIsRefusedNamingTheFolder() throws IOException {
    place("in/sub/part-a.parquet", "a", 1.0);
    Files.createSymbolicLink(tmp.resolve("in/sub/back"), tmp.resolve("in"));
    Files.createSymbolicLink(tmp.resolve("in/sub/again"), tmp.resolve("in"));

    assertThatThrownBy(() -> score("in"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot read input: the folder file:" + tmp.resolve("in/sub/again"))
        .hasMessageContaining("through a symbolic link (a loop;");
    assertThat(Files.exists(tmp.resolve("out"))).isFalse();
  }

  @Test
  void oneFileReachedTwiceThroughALinkIsRefusedNamingBothPaths() throws IOException {
    Path a = place("in/a/part-a.parquet", "a", 1.0);
    Files.createSymbolicLink(tmp.resolve("in/b"), tmp.resolve("in/a"));

    assertThatThrownBy(() -> score("in"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Cannot read input: file:"
                + a
                + " and file:"
                + tmp.resolve("in/b/part-a.parquet")
                + " are one file");
  }

  @Test
  void aLinkToAFileThatIsGoneIsRefusedNamingLinkAndTarget() throws IOException {
    place("in/part-a.parquet", "a", 1.0);
    Path gone = tmp.resolve("elsewhere/part-b.parquet");
    Files.createDirectories(tmp.resolve("in/sub"));
    Files.createSymbolicLink(tmp.resolve("in/sub/part-b.parquet"), gone);

    assertThatThrownBy(() -> score("in"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot read input: "
                + tmp.resolve("in/sub/part-b.parquet")
                + " is a symbolic link to "
                + gone
                + ", which does not exist (restore what it points to, or remove the link)");
  }

  @Test
  void aLinkedFolderOutsideTheInputIsReadLikeAnyFolder() throws IOException {
    place("in/part-a.parquet", "a", 1.0);
    place("elsewhere/part-c.parquet", "c", 2.0);
    Files.createSymbolicLink(tmp.resolve("in/linked"), tmp.resolve("elsewhere"));

    RunResult result = score("in");

    assertThat(sequences()).isEqualTo(Map.of("a", "m 1.0", "c", "m 2.0"));
    assertThat(paths(result))
        .containsExactly(
            "file:" + tmp.resolve("in/linked/part-c.parquet"),
            "file:" + tmp.resolve("in/part-a.parquet"));
  }

  @Test
  void anEmptyLabelValueRejectsTheRowsAsMissingLabel() {
    placeUnlabelled("in/model=/part-0.parquet", "e", 1.0);
    placeUnlabelled("in/sub/model=b/part-0.parquet", "b", 2.0);

    RunResult result = scoreKeepingRejects("in");

    assertThat(sequences()).isEqualTo(Map.of("b", "b 2.0"));
    assertThat(rejectedReasons()).containsExactly("MISSING_LABEL");
    assertThat(result.run().accountingOk()).isTrue();
  }

  @Test
  void theRollUpsLabelFromAFolderRejectsTheRowsAsReserved() {
    placeUnlabelled("in/model=__all__/part-0.parquet", "x", 1.0);
    placeUnlabelled("in/model=b/part-0.parquet", "b", 2.0);

    RunResult result = scoreKeepingRejects("in");

    assertThat(sequences()).isEqualTo(Map.of("b", "b 2.0"));
    assertThat(rejectedReasons()).containsExactly("RESERVED_LABEL");
    assertThat(result.run().accountingOk()).isTrue();
  }

  /** Scores {@code input} with no limit on the rejected share, so that a run of bad rows passes. */
  private RunResult scoreKeepingRejects(String input) {
    return ScoreJob.run(
        spark,
        new ScoreRequest(
            List.of(tmp.resolve(input).toString()),
            tmp.resolve("out").toString(),
            "r",
            JobConfig.load(null, List.of("validation.max-rejected-fraction=1"))));
  }

  private List<String> rejectedReasons() {
    return spark
        .read()
        .parquet(tmp.resolve("out/rejected").toString())
        .select("reason")
        .as(Encoders.STRING())
        .collectAsList();
  }

  @Test
  void theSameLabelTwiceOnOnePathIsRefusedNamingTheFile() {
    Path f = placeUnlabelled("in/model=a/x/Model=b/part-0.parquet", "s", 1.0);

    assertThatThrownBy(() -> score("in"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid input folders: file:%s has the label model twice, model=a and Model=b (must"
                + " give each label once on a path)",
            f);
  }

  @Test
  void aFolderLabelThatIsAlsoAColumnOfTheFileIsRefusedNamingFileLabelAndColumn() {
    Path f = place("in/domain=web/part-0.parquet", "s", 1.0);

    assertThatThrownBy(() -> score("in"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot score file:%s: its folder label domain=web is also its column domain (rename"
                + " the folder, or drop the column from the file)",
            f);
  }

  @Test
  void aLabelFromAFolderForOneFileAndFromAColumnForAnotherIsRefused() {
    Path labelled = placeUnlabelled("in/model=a/part-0.parquet", "s1", 1.0);
    Path column = place("in/plain/part-1.parquet", "s2", 1.0);

    assertThatThrownBy(() -> score("in"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot score %s: model is a folder label of file:%s but a column of file:%s (give"
                + " it one way for all files)",
            tmp.resolve("in"), labelled, column);
  }

  @Test
  void aFileWithoutALabelFolderOrColumnFailsNamingIt() {
    placeUnlabelled("in/model=a/part-0.parquet", "s1", 1.0);
    Path bare = placeUnlabelled("in/plain/part-1.parquet", "s2", 1.0);

    assertThatThrownBy(() -> score("in"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Missing column model in file:" + bare + " ");
  }
}
