package dev.softmetrics.demo.europarl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoShardsTest {
  @TempDir Path tmp;

  @Test
  void aFolderHoldsTheCorpusOnlyWithItsOwnMarker() throws Exception {
    File dir = tmp.toFile();
    assertThat(DemoShards.isWritten(dir, "corpus 1\n")).isFalse();
    Files.writeString(tmp.resolve(DemoShards.MARKER), "corpus 0\n");
    assertThat(DemoShards.isWritten(dir, "corpus 1\n")).isFalse();
    Files.writeString(tmp.resolve(DemoShards.MARKER), "corpus 1\n");
    assertThat(DemoShards.isWritten(dir, "corpus 1\n")).isTrue();
    assertThat(DemoShards.isWritten(new File(dir, "missing"), "corpus 1\n")).isFalse();
  }
}
