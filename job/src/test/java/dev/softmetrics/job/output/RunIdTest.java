package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Run ids that are paths are refused; schedulers' ids become folder names that Hadoop accepts. */
class RunIdTest {
  @ParameterizedTest
  @ValueSource(
      strings = {"../sequences", "/some/folder", "a/b", "a\\b", ".", "..", "", "a b", "x%41"})
  void aRunIdThatIsNotAPlainNameIsRefusedNamingIt(String id) {
    assertThatThrownBy(() -> RunId.check(id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid --run-id: "
                + id
                + " (must be 1 to 128 of the characters A-Z a-z 0-9 . _ : + -, and not . or ..)");
  }

  @Test
  void aRunIdOf129CharactersIsRefused() {
    assertThatThrownBy(() -> RunId.check("a".repeat(129)))
        .hasMessageStartingWith("Invalid --run-id: aaaa");
    assertThat(RunId.check("a".repeat(128))).hasSize(128);
  }

  @Test
  void anAirflowRunIdIsPercentEncodedAsAFolderNameAndBack() {
    String airflow = "scheduled__2026-11-25T00:00:00+00:00";
    assertThat(RunId.folderName(airflow)).isEqualTo("scheduled__2026-11-25T00%3A00%3A00%2B00%3A00");
    assertThat(RunId.fromFolderName(RunId.folderName(airflow))).isEqualTo(airflow);
    assertThat(new org.apache.hadoop.fs.Path("/out/_staging", RunId.folderName(airflow)).getName())
        .isEqualTo("scheduled__2026-11-25T00%3A00%3A00%2B00%3A00");
  }
}
