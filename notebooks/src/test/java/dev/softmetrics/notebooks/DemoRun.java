package dev.softmetrics.notebooks;

import dev.softmetrics.demo.DemoMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One in-process {@code softmetrics demo} per test JVM, shared by the ITs that check its tables and
 * run the notebooks on them. It writes under {@code target/demo-output} (system property {@code
 * notebooks.demo-output}), which it empties first, so the corpus is always this build's.
 */
final class DemoRun {
  private DemoRun() {}

  /**
   * What the demo printed and where it wrote.
   *
   * @param dir the output folder
   * @param status the exit status
   * @param stdout what it printed on stdout
   */
  record Result(Path dir, int status, String stdout) {}

  private static Result result;

  /** The demo's run, made on first use. */
  static synchronized Result get() {
    if (result == null) {
      Path dir = Path.of(System.getProperty("notebooks.demo-output", "target/demo-output"));
      delete(dir);
      PrintStream stdout = System.out;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      int status;
      try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
        System.setOut(capture);
        status = DemoMain.execute("demo", "--output", dir.toString());
      } finally {
        System.setOut(stdout);
      }
      String out = captured.toString(StandardCharsets.UTF_8);
      stdout.print(out);
      result = new Result(dir.toAbsolutePath(), status, out);
    }
    return result;
  }

  private static void delete(Path dir) {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(DemoRun::deleteFile);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot empty " + dir, e);
      }
    }
  }

  private static void deleteFile(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + file, e);
    }
  }
}
