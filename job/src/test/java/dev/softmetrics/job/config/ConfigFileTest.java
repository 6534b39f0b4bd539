package dev.softmetrics.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --conf} as a local path and as a Hadoop URI, the way cluster-mode drivers receive it. */
class ConfigFileTest {
  @TempDir Path tmp;

  private Path write(String text) throws IOException {
    Path file = tmp.resolve("site.conf");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void aLocalPathAndAFileUriOfTheSameFileGiveTheSameConfiguration() throws IOException {
    Path file = write("softmetrics { read.batch-rows = 77, columns.model = llm }\n");

    JobConfig local = JobConfig.fromLocation(file.toString(), List.of());
    JobConfig uri = JobConfig.fromLocation(file.toUri().toString(), List.of());

    assertThat(local.batchRows()).isEqualTo(77);
    assertThat(local.columns().model()).isEqualTo("llm");
    assertThat(uri).isEqualTo(local);
    assertThat(file.toUri().toString()).startsWith("file:/");
  }

  @Test
  void aUriFileWithoutTheSoftmetricsBlockIsRelativeToSoftmetricsAndSetStillWins()
      throws IOException {
    Path file = write("read.batch-rows = 64\nsummary.max-rows = 3\n");

    JobConfig config =
        JobConfig.fromLocation(file.toUri().toString(), List.of("read.batch-rows=5"));

    assertThat(config.batchRows()).isEqualTo(5);
    assertThat(config.summaryMaxRows()).isEqualTo(3);
  }

  @Test
  void aMissingUriIsNamedInTheMessage() {
    String missing = tmp.resolve("absent.conf").toUri().toString();

    assertThatThrownBy(() -> JobConfig.fromLocation(missing, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot read --conf " + missing + ": no such file");
  }

  @Test
  void aMissingLocalPathIsNamedInTheMessage() {
    String missing = tmp.resolve("absent.conf").toString();

    assertThatThrownBy(() -> JobConfig.fromLocation(missing, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot read --conf " + missing + ": no such file");
  }

  @Test
  void aUriOfAFileSystemHadoopDoesNotKnowSaysSo() {
    assertThatThrownBy(() -> JobConfig.fromLocation("nosuchfs://bucket/site.conf", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot read --conf nosuchfs://bucket/site.conf: ")
        .hasMessageContaining("nosuchfs");
  }

  @Test
  void aFileThatIsNotHoconIsBadInputNamingTheFileAndTheLine() throws IOException {
    Path file = write("read {\n  batch-rows = 64\n");

    for (String location : List.of(file.toString(), file.toUri().toString())) {
      assertThatThrownBy(() -> JobConfig.fromLocation(location, List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid --conf " + location + ": ")
          .hasMessageContaining(": 3:")
          .hasMessageEndingWith("(must be HOCON)");
    }
  }
}
