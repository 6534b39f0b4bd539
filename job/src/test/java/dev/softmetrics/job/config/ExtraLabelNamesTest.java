package dev.softmetrics.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code labels.extra}: how it is written, and the names it refuses. */
class ExtraLabelNamesTest {

  private static List<String> extras(String... set) {
    return JobConfig.load(null, List.of(set)).columns().extraLabels();
  }

  @Test
  void noExtraLabelsByDefaultAndTheLabelsAreTheFourBuiltInOnes() {
    assertThat(extras()).isEmpty();
    assertThat(JobConfig.defaults().columns().labels())
        .containsExactly("sequence_id", "model", "tokenizer", "domain");
  }

  @Test
  void aSetTakesOneNameOrACommaSeparatedListInBracketsOrNot() {
    assertThat(extras("labels.extra=step")).containsExactly("step");
    assertThat(extras("labels.extra=step, split")).containsExactly("step", "split");
    assertThat(extras("labels.extra=[step,split]")).containsExactly("step", "split");
    assertThat(extras("labels.extra=[]")).isEmpty();
    assertThat(JobConfig.load(null, List.of("labels.extra=step,lang")).columns().labels())
        .containsExactly("sequence_id", "model", "tokenizer", "domain", "step", "lang");
  }

  @Test
  void aConfigurationFileTakesAHoconList() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("extra", ".conf");
    try {
      java.nio.file.Files.writeString(file, "labels.extra = [step, \"split\"]\n");
      assertThat(JobConfig.load(file.toFile(), List.of()).columns().extraLabels())
          .containsExactly("step", "split");
    } finally {
      java.nio.file.Files.delete(file);
    }
  }

  @Test
  void reservedRepeatedAndCollidingNamesAreRefusedNamingThem() {
    assertRefused("labels.extra=step,step", "\"step\" is listed twice");
    assertRefused("labels.extra=__all__", "\"__all__\" is a reserved name");
    assertRefused("labels.extra=file_key", "\"file_key\" is a reserved name");
    assertRefused("labels.extra=file_path", "\"file_path\" is a reserved name");
    assertRefused("labels.extra=model", "\"model\" is an input column the job reads");
    assertRefused("labels.extra=text", "\"text\" is an input column the job reads");
    assertRefused("labels.extra=tokens", "\"tokens\" is a column of sequences/");
    assertRefused("labels.extra=bits_per_byte", "\"bits_per_byte\" is a column of corpus/");
    assertRefused("labels.extra=model_a", "\"model_a\" is a column of comparisons/");
    assertRefused("labels.extra=position_bucket", "\"position_bucket\" is a column of positions/");
    assertRefused("labels.extra=step,", "\"\" is empty");
  }

  @Test
  void aMappedBuiltInLabelIsRefusedUnderItsInputName() {
    assertThatThrownBy(() -> JobConfig.load(null, List.of("columns.model=llm", "labels.extra=llm")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"llm\" is an input column the job reads");
  }

  @Test
  void aValueThatIsNoListOfNamesIsRefused() {
    java.nio.file.Path file;
    try {
      file = java.nio.file.Files.createTempFile("extra", ".conf");
      java.nio.file.Files.writeString(file, "labels.extra = [step, [1]]\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThatThrownBy(() -> JobConfig.load(file.toFile(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid setting labels.extra")
        .hasMessageContaining("must be a list of names");
  }

  private static void assertRefused(String set, String why) {
    assertThatThrownBy(() -> JobConfig.load(null, List.of(set)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid setting labels.extra: " + why);
  }
}
