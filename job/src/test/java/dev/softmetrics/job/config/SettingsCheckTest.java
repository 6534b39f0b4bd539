package dev.softmetrics.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unknown keys and values of the wrong type, from {@code --set} and from a {@code --conf} file: one
 * line that names the key, where it came from and the rule, instead of a silent default.
 */
class SettingsCheckTest {
  @TempDir Path tmp;

  private static String failure(String... overrides) {
    return failureOf(null, overrides);
  }

  private static String failureOf(Path file, String... overrides) {
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                JobConfig.fromLocation(file == null ? null : file.toString(), List.of(overrides)));
    assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
    assertThat(thrown.getMessage()).doesNotContain("\n");
    return thrown.getMessage();
  }

  private Path write(String text) throws IOException {
    Path file = tmp.resolve("site.conf");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void aMistypedKeyFromSetIsRefusedWithTheNearestKnownKey() {
    assertThat(failure("validation.max-rejected-fracton=0.0"))
        .isEqualTo(
            "Invalid setting validation.max-rejected-fracton (from --set): unknown key"
                + " (did you mean validation.max-rejected-fraction?)");
    assertThat(failure("softmetrics.read.batch-row=64"))
        .isEqualTo(
            "Invalid setting read.batch-row (from --set): unknown key"
                + " (did you mean read.batch-rows?)");
  }

  @Test
  void aKeyWithoutItsBlockIsPointedToIt() {
    assertThat(failure("max-rejected-fraction=0.1"))
        .isEqualTo(
            "Invalid setting max-rejected-fraction (from --set): unknown key"
                + " (did you mean validation.max-rejected-fraction?)");
  }

  @Test
  void anUnknownKeyInAKnownBlockListsTheBlocksKeys() {
    assertThat(failure("bootstrap.iterations=10"))
        .isEqualTo(
            "Invalid setting bootstrap.iterations (from --set): unknown key"
                + " (bootstrap has replicates, seed, confidence, in-memory-sequences)");
  }

  @Test
  void anUnknownTopLevelKeyIsRefusedNamingTheAllowedPrefixes() {
    assertThat(failure("foo.bar=1"))
        .startsWith("Invalid setting foo.bar (from --set): unknown key (must start with ")
        .contains("format", "columns.", "validation.", "bootstrap.", "read.", "spark.");
  }

  @Test
  void aBlockSetToAValueIsRefused() {
    assertThat(failure("validation=strict"))
        .isEqualTo(
            "Invalid setting validation (from --set): strict (must be a block; set its keys,"
                + " e.g. validation.positive-logprob-tolerance)");
  }

  @Test
  void aValueUnderAScalarKeyIsRefused() {
    assertThat(failure("format.kind=logits"))
        .isEqualTo("Invalid setting format.kind (from --set): unknown key (did you mean format?)");
  }

  @Test
  void aFractionalNumberWhereAWholeOneIsRequiredIsRefused() {
    assertThat(failure("bootstrap.replicates=1.5"))
        .isEqualTo(
            "Invalid setting bootstrap.replicates (from --set): 1.5 (must be a whole number)");
    assertThat(failure("read.batch-rows=ten"))
        .isEqualTo("Invalid setting read.batch-rows (from --set): ten (must be a whole number)");
    assertThat(failure("bootstrap.seed=0.5"))
        .isEqualTo("Invalid setting bootstrap.seed (from --set): 0.5 (must be a whole number)");
    assertThat(failure("summary.max-rows=3000000000"))
        .isEqualTo(
            "Invalid setting summary.max-rows (from --set): 3000000000"
                + " (must be a whole number from -2147483648 to 2147483647)");
  }

  @Test
  void wholeNumbersWrittenWithAnExponentOrPointZeroAreTheirValue() {
    JobConfig config = JobConfig.load(null, List.of("read.batch-rows=1e3", "bootstrap.seed=7.0"));

    assertThat(config.batchRows()).isEqualTo(1000);
    assertThat(config.bootstrap().seed()).isEqualTo(7L);
  }

  @Test
  void booleansAreTrueOrFalseOnly() {
    assertThat(failure("read.skip-corrupt-files=yes"))
        .isEqualTo(
            "Invalid setting read.skip-corrupt-files (from --set): yes (must be true or false)");
    assertThat(failure("incremental=on"))
        .isEqualTo("Invalid setting incremental (from --set): on (must be true or false)");
    assertThat(JobConfig.load(null, List.of("read.skip-corrupt-files=true")).skipCorruptFiles())
        .isTrue();
  }

  @Test
  void numbersDurationsAndTextHaveTheirRules() {
    assertThat(failure("flags.kl-warning-above=lots"))
        .isEqualTo("Invalid setting flags.kl-warning-above (from --set): lots (must be a number)");
    assertThat(failure("bootstrap.confidence=NaN"))
        .isEqualTo("Invalid setting bootstrap.confidence (from --set): NaN (must be a number)");
    assertThat(failure("progress.after=soon"))
        .isEqualTo(
            "Invalid setting progress.after (from --set): soon"
                + " (must be a duration such as 500ms, 3s or 2m)");
  }

  @Test
  void aKeyThatIsNotAPathIsRefusedNamingThePair() {
    assertThat(failure("read..batch-rows=5"))
        .isEqualTo(
            "Invalid --set: read..batch-rows=5 (must be key=value, the key a dotted path such as"
                + " read.batch-rows)");
  }

  @Test
  void aTypoInAConfFileNamesTheFileAndLine() throws IOException {
    Path file = write("softmetrics {\n  read {\n    batch-row = 64\n  }\n}\n");

    assertThat(failureOf(file))
        .isEqualTo(
            "Invalid setting read.batch-row (from "
                + file
                + ": 3): unknown key (did you mean read.batch-rows?)");
  }

  @Test
  void aTypoInAConfFileWithoutTheSoftmetricsBlockIsRefusedToo() throws IOException {
    Path file = write("valdation.on-bad-row = fail\n");

    assertThat(failureOf(file))
        .isEqualTo(
            "Invalid setting valdation.on-bad-row (from "
                + file
                + ": 1): unknown key (did you mean validation.on-bad-row?)");
  }

  @Test
  void aWrongTypeInAConfFileNamesTheFileAndLine() throws IOException {
    Path file = write("bootstrap {\n  replicates = [1, 2]\n}\n");

    assertThat(failureOf(file))
        .isEqualTo(
            "Invalid setting bootstrap.replicates (from "
                + file
                + ": 2): [1,2] (must be a whole number)");
  }

  @Test
  void aNullInAConfFileIsRefusedNamingTheKey() throws IOException {
    Path file = write("columns.model = null\n");

    assertThat(failureOf(file))
        .isEqualTo(
            "Invalid setting columns.model (from " + file + ": 1): null (must be a text value)");
  }

  @Test
  void aFileWithTheSoftmetricsBlockRefusesOtherTopLevelKeys() throws IOException {
    Path file = write("softmetrics { read.batch-rows = 64 }\nsoftmetric.summary.max-rows = 3\n");

    assertThat(failureOf(file))
        .isEqualTo(
            "Invalid setting softmetric.summary.max-rows (from "
                + file
                + ": 2): outside the softmetrics block (move it inside softmetrics { })");
  }

  @Test
  void sparkKeysBesideTheSoftmetricsBlockGoToSpark() throws IOException {
    Path file = write("softmetrics { read.batch-rows = 64 }\nspark.sql.shuffle.partitions = 3\n");

    JobConfig config = JobConfig.fromLocation(file.toString(), List.of());

    assertThat(config.batchRows()).isEqualTo(64);
    assertThat(config.sparkConf()).containsEntry("spark.sql.shuffle.partitions", "3");
  }

  @Test
  void sparkSettingsStayAnOpenMap() throws IOException {
    Path file = write("spark { \"spark.foo.bar\" = 1, sql.anything = x }\n");

    JobConfig config = JobConfig.fromLocation(file.toString(), List.of("spark.made.up.setting=y"));

    assertThat(config.sparkConf())
        .containsEntry("spark.foo.bar", "1")
        .containsEntry("spark.sql.anything", "x")
        .containsEntry("spark.made.up.setting", "y");
  }

  @Test
  void theExampleConfigurationUsesOnlyKnownKeys() {
    Path example = Path.of("..", "conf", "softmetrics.conf");
    assertThat(example).exists();

    JobConfig config = JobConfig.fromLocation(example.toString(), List.of());

    assertThat(config.batchRows()).isEqualTo(4096);
  }

  @Test
  void theSparkBlockSetToAValueIsRefusedLikeAnyBlock() {
    assertThat(failure("spark=1"))
        .isEqualTo(
            "Invalid setting spark (from --set): 1 (must be a block; set its keys, e.g."
                + " spark.sql.shuffle.partitions)");
  }

  @Test
  void anEmptyValueIsShownAsEmptyQuotes() {
    assertThat(failure("read.batch-rows="))
        .isEqualTo("Invalid setting read.batch-rows (from --set): \"\" (must be a whole number)");
  }

  @Test
  void aNegativeProgressDelayIsRefused() {
    assertThat(failure("progress.after=-1s"))
        .isEqualTo("Invalid progress.after: PT-1S (must be >= 0)");
  }
}
