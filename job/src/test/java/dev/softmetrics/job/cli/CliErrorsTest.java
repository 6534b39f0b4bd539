package dev.softmetrics.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.util.VersionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes on the command line, in settings and in the class path: exit status 2 and exactly one
 * line on stderr, before any Spark session starts (no input is read, so none is written).
 */
class CliErrorsTest {
  @TempDir Path tmp;

  private String input() {
    return tmp.resolve("shards").toString();
  }

  private String output() {
    return tmp.resolve("out").toString();
  }

  /** Exit 2, stderr holds exactly this one line, nothing on stdout. */
  private static void assertUsageError(CliOutcome run, String line) {
    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.nonBlankErrLines()).containsExactly("softmetrics: error: " + line);
    assertThat(run.out()).isEmpty();
  }

  private CliOutcome scoreWith(String... more) {
    List<String> args = new java.util.ArrayList<>();
    args.addAll(List.of("score", "--input", input(), "--output", output()));
    args.addAll(List.of(more));
    return CliOutcome.of(args.toArray(String[]::new));
  }

  @Test
  void aMistypedSettingIsRefusedWithTheNearestKey() {
    assertUsageError(
        scoreWith("--set", "validation.max-rejected-fracton=0.0"),
        "Invalid setting validation.max-rejected-fracton (from --set): unknown key"
            + " (did you mean validation.max-rejected-fraction?)");
  }

  @Test
  void aSettingOutsideTheJobsBlocksIsRefused() {
    CliOutcome run = scoreWith("--set", "foo.bar=1");

    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.nonBlankErrLines()).hasSize(1);
    assertThat(run.nonBlankErrLines().get(0))
        .startsWith("softmetrics: error: Invalid setting foo.bar (from --set): unknown key")
        .contains("spark.");
  }

  @Test
  void aFractionalReplicateCountIsRefused() {
    assertUsageError(
        scoreWith("--set", "bootstrap.replicates=1.5"),
        "Invalid setting bootstrap.replicates (from --set): 1.5 (must be a whole number)");
  }

  @Test
  void aConfFileWithATypoIsRefusedNamingTheFile() throws IOException {
    Path conf = tmp.resolve("nightly.conf");
    Files.writeString(conf, "softmetrics.bootstrap.replicate = 200\n");

    assertUsageError(
        scoreWith("--conf", conf.toString()),
        "Invalid setting bootstrap.replicate (from "
            + conf
            + ": 1): unknown key (did you mean bootstrap.replicates?)");
  }

  @Test
  void formatGivenTwiceWithDifferentValuesIsRefused() {
    assertUsageError(
        scoreWith("--set", "format=logprobs", "--format", "logits"),
        "Cannot use --format logits with --set format=logprobs: they disagree (give the format"
            + " once)");
  }

  @Test
  void anUnknownInputFormatIsRefused() {
    assertUsageError(
        scoreWith("--input-format", "csv"),
        "Invalid read.input-format: csv (must be auto, parquet or jsonl)");
  }

  @Test
  void inputFormatAgainstADifferentSetIsRefused() {
    assertUsageError(
        scoreWith("--input-format", "jsonl", "--set", "read.input-format=parquet"),
        "Cannot use --input-format jsonl with --set read.input-format=parquet: they disagree"
            + " (give the input format once)");
  }

  @Test
  void incrementalFlagAgainstSetIncrementalFalseIsRefused() {
    assertUsageError(
        scoreWith("--incremental", "--set", "incremental=false"),
        "Cannot use --incremental with --set incremental=false: they disagree (give it once)");
  }

  @Test
  void anUnknownOptionIsOneLineWithTheNearestOption() {
    assertUsageError(
        CliOutcome.of("score", "--inptu", input(), "--output", output()),
        "Unknown option: '--inptu' (did you mean --input? see softmetrics score --help)");
  }

  @Test
  void aMissingRequiredOptionIsOneLine() {
    assertUsageError(
        CliOutcome.of("score", "--output", output()),
        "Missing required option: '--input=URI' (see softmetrics score --help)");
  }

  @Test
  void anOptionWithoutItsValueIsOneLine() {
    assertUsageError(
        CliOutcome.of("score", "--input", input(), "--output"),
        "Missing required parameter for option '--output' (DIR)"
            + " (see softmetrics score --help)");
  }

  @Test
  void anUnknownCommandIsOneLineWithTheNearestCommand() {
    assertUsageError(
        CliOutcome.of("scroe", "--input", input()),
        "Unknown command: 'scroe' (did you mean score? see softmetrics --help)");
  }

  @Test
  void noArgumentsPrintTheUsageOnStderrWithStatusTwo() {
    CliOutcome run = CliOutcome.of();

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("Usage: softmetrics").contains("score").contains("convert");
    assertThat(run.err()).doesNotContain("Missing required subcommand");
  }

  @Test
  void anS3aInputWithoutTheConnectorNamesTheLibrary() {
    String uri = "s3a://bucket/evals/x";

    assertUsageError(
        CliOutcome.of("score", "--input", uri, "--output", output()),
        "Cannot read "
            + uri
            + ": Hadoop's S3A connector is not on the class path (add"
            + " org.apache.hadoop:hadoop-aws:"
            + VersionInfo.getVersion()
            + " and the AWS SDK bundle it depends on, e.g. spark-submit --packages"
            + " org.apache.hadoop:hadoop-aws:"
            + VersionInfo.getVersion()
            + ")");
  }

  @Test
  void anS3aOutputWithoutTheConnectorNamesTheLibrary() {
    String uri = "s3a://bucket/softmetrics/nightly";

    CliOutcome run = CliOutcome.of("score", "--input", input(), "--output", uri);

    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.nonBlankErrLines()).hasSize(1);
    assertThat(run.nonBlankErrLines().get(0))
        .startsWith(
            "softmetrics: error: Cannot write "
                + uri
                + ": Hadoop's S3A connector is not on the class path (add"
                + " org.apache.hadoop:hadoop-aws:");
  }

  @Test
  void aGcsInputWithoutTheConnectorNamesTheLibrary() {
    CliOutcome run = CliOutcome.of("score", "--input", "gs://bucket/x", "--output", output());

    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.nonBlankErrLines()).hasSize(1);
    assertThat(run.nonBlankErrLines().get(0))
        .startsWith("softmetrics: error: Cannot read gs://bucket/x: ")
        .contains("com.google.cloud.bigdataoss:gcs-connector");
  }

  @Test
  void anS3aConfFileWithoutTheConnectorNamesTheLibrary() {
    CliOutcome run = scoreWith("--conf", "s3a://bucket/nightly.conf");

    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.nonBlankErrLines()).hasSize(1);
    assertThat(run.nonBlankErrLines().get(0))
        .startsWith(
            "softmetrics: error: Cannot read --conf s3a://bucket/nightly.conf: Hadoop's S3A connector"
                + " is not on the class path");
  }

  @Test
  void anEmptyInputOrOutputIsOneLineWithTheRule() {
    assertUsageError(
        CliOutcome.of("score", "--input", "", "--output", output()),
        "Invalid --input: empty (must name a file, folder, glob or URI)");
    assertUsageError(
        CliOutcome.of("score", "--input", input() + ", ,", "--output", output()),
        "Invalid --input: empty (must name a file, folder, glob or URI)");
    assertUsageError(
        CliOutcome.of("score", "--input", input(), "--output", " "),
        "Invalid --output: empty (must name a folder)");
  }
}
