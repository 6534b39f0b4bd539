package dev.softmetrics.notebooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Executes every notebook on the demo's tables with Jupyter ({@code execute-notebooks.py} on
 * Debian's nbclient) and the Java kernel this build sets up under {@code target/jupyter}; fails if
 * a cell fails. Without Jupyter the test is skipped, loudly, unless {@value #REQUIRE} is 1 ({@code
 * .ci/run} sets it), and then it fails.
 */
class NotebooksIT {
  /** The environment variable that makes a missing Jupyter a failure. */
  static final String REQUIRE = "SOFTMETRICS_REQUIRE_NOTEBOOKS";

  private static final String INSTALL =
      "apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client"
          + " jupyter-core (or run notebooks/setup-jupyter)";

  private final Path notebooks = Path.of(System.getProperty("notebooks.dir", "."));
  private final Path jupyterPath =
      Path.of(System.getProperty("notebooks.jupyter-path", "target/jupyter"));

  @Test
  void everyNotebookRunsOnTheDemoTables() throws Exception {
    String python = System.getenv().getOrDefault("SOFTMETRICS_PYTHON", "/usr/bin/python3");
    String missing = missingJupyter(python);
    if (missing != null) {
      String message =
          "Jupyter is not available (" + missing + "): the notebooks were NOT executed. " + INSTALL;
      if ("1".equals(System.getenv(REQUIRE))) {
        fail(REQUIRE + "=1 and " + message);
      }
      System.err.println("\n" + "!".repeat(100) + "\n" + message + "\n" + "!".repeat(100) + "\n");
      Assumptions.abort(message);
    }
    DemoRun.Result demo = DemoRun.get();
    assertThat(demo.status()).as(demo.stdout()).isZero();
    Path executed = Path.of("target", "executed-notebooks").toAbsolutePath();
    List<String> command =
        new ArrayList<>(
            List.of(
                python,
                notebooks.resolve("execute-notebooks.py").toString(),
                "--output-dir",
                executed.toString()));
    List<Path> sources = sources();
    sources.forEach(p -> command.add(p.toString()));
    File log = Path.of("target", "execute-notebooks.log").toFile();
    ProcessBuilder runner =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
    runner.environment().put("JUPYTER_PATH", jupyterPath.toAbsolutePath().toString());
    runner.environment().put(DemoTables.ENV, demo.dir().toString());
    Process process = runner.start();
    boolean finished = process.waitFor(20, TimeUnit.MINUTES);
    String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
    System.out.println(output);
    if (!finished) {
      process.destroyForcibly();
    }
    assertThat(finished).as("the notebooks finished within 20 minutes").isTrue();
    assertThat(process.exitValue()).as("execute-notebooks.py's exit status:%n%s", output).isZero();
    for (Path source : sources) {
      Notebook run = Notebook.read(executed.resolve(source.getFileName()));
      assertThat(run.errors()).as(source.getFileName().toString()).isEmpty();
      assertThat(run.unexecutedCodeCells()).as(source.getFileName().toString()).isZero();
      assertThat(run.images())
          .as("%s: the executed notebook has the committed one's charts", source.getFileName())
          .isEqualTo(Notebook.read(source).images());
    }
  }

  /** The notebooks, in order. */
  private List<Path> sources() throws IOException {
    try (var files = Files.list(notebooks)) {
      return files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
  }

  /** Null if {@code python} has nbclient, nbformat and jupyter_client; else what is missing. */
  private static String missingJupyter(String python) throws InterruptedException {
    try {
      Process check =
          new ProcessBuilder(python, "-c", "import nbclient, nbformat, jupyter_client")
              .redirectErrorStream(true)
              .start();
      String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!check.waitFor(60, TimeUnit.SECONDS)) {
        check.destroyForcibly();
        return python + " did not answer";
      }
      return check.exitValue() == 0 ? null : python + ": " + output.strip();
    } catch (IOException e) {
      return "no " + python + ": " + e.getMessage();
    }
  }
}
