package dev.softmetrics.job.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * The lines of a JSON Lines file, as bytes, with their 0-based index in the file: the reading both
 * the input check (row counts, keys) and the scan's tasks (rows) use, so that a row's index is the
 * same in both. A line ends at {@code \n}; a {@code \r} before it is dropped. A line of only
 * spaces, tabs and {@code \r} holds no row and is skipped (a trailing newline, an empty last line).
 * A file whose name ends in {@code .gz} (or another codec Hadoop knows) is decompressed.
 */
final class JsonLines implements AutoCloseable {
  /**
   * The parser settings of both readers: NaN and the infinities as Python's {@code json} writes
   * them, and a key repeated in one object refused instead of the last one silently winning.
   */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private final InputStream in;
  private byte[] line = new byte[1 << 12];
  private int length;
  private long index = -1;
  private boolean ended;

  private JsonLines(InputStream in) {
    this.in = new BufferedInputStream(in, 1 << 16);
  }

  /** Opens {@code file}, decompressed when its name says so. */
  static JsonLines open(String file, Configuration hadoop) throws IOException {
    Path path = new Path(file);
    InputStream raw = path.getFileSystem(hadoop).open(path);
    CompressionCodec codec = new CompressionCodecFactory(hadoop).getCodec(path);
    try {
      return new JsonLines(codec == null ? raw : codec.createInputStream(raw));
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** Moves to the next line that holds a row; false at the end of the file. */
  boolean next() throws IOException {
    while (!ended) {
      readLine();
      if (!blank()) {
        return true;
      }
    }
    return false;
  }

  /** The current line's 0-based index among all lines of the file (its number minus 1). */
  long index() {
    return index;
  }

  /** The current line's bytes: {@code bytes()[0 .. length())}, valid until {@link #next}. */
  byte[] bytes() {
    return line;
  }

  int length() {
    return length;
  }

  private void readLine() throws IOException {
    length = 0;
    index++;
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (length == line.length) {
        line = Arrays.copyOf(line, line.length * 2);
      }
      line[length++] = (byte) b;
    }
    if (b == -1) {
      ended = true;
    }
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
  }

  private boolean blank() {
    for (int i = 0; i < length; i++) {
      byte c = line[i];
      if (c != ' ' && c != '\t' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
