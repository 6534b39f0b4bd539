package dev.softmetrics.notebooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The notebooks in the repository are committed executed: every code cell run, no error, the charts
 * as PNG outputs, on this build's kernel. (NotebooksIT runs them again.)
 */
class CommittedNotebooksTest {
  @Test
  void theNotebooksAreCommittedExecutedWithTheirCharts() throws IOException {
    List<Path> notebooks;
    try (var files = Files.list(Path.of(System.getProperty("notebooks.dir", ".")))) {
      notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertThat(notebooks)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "01-reading-a-run.ipynb",
            "02-nll-and-perplexity.ipynb",
            "03-tokenizers.ipynb",
            "04-cross-entropy-and-kl.ipynb",
            "05-entropy-collapse-and-kl-penalty.ipynb",
            "06-results-of-any-run.ipynb",
            "07-concepts.ipynb");
    for (Path path : notebooks) {
      Notebook notebook = Notebook.read(path);
      assertThat(notebook.kernel()).as(path.toString()).isEqualTo("softmetrics-java");
      assertThat(notebook.codeCells()).as(path.toString()).isPositive();
      assertThat(notebook.unexecutedCodeCells()).as(path.toString()).isZero();
      assertThat(notebook.errors()).as(path.toString()).isEmpty();
      assertThat(notebook.images()).as(path.toString()).isPositive();
    }
  }
}
