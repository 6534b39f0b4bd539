package dev.softmetrics.udfs.text;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.udfs.Rejection;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Utf8ValidationTest {

  private BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  /** Byte sequences written out by hand from RFC 3629's table, and where each first goes wrong. */
  static Stream<Arguments> sequences() {
    return Stream.of(
        Arguments.of("empty", bytes(), -1),
        Arguments.of("ASCII", bytes('a', 'b', 0x7F, 0x00), -1),
        Arguments.of("2 bytes: U+0080, U+07FF", bytes(0xC2, 0x80, 0xDF, 0xBF), -1),
        Arguments.of("3 bytes: U+0800, U+D7FF", bytes(0xE0, 0xA0, 0x80, 0xED, 0x9F, 0xBF), -1),
        Arguments.of("3 bytes: U+E000, U+FFFF", bytes(0xEE, 0x80, 0x80, 0xEF, 0xBF, 0xBF), -1),
        Arguments.of("4 bytes: U+10000", bytes(0xF0, 0x90, 0x80, 0x80), -1),
        Arguments.of("4 bytes: U+10FFFF", bytes(0xF4, 0x8F, 0xBF, 0xBF), -1),
        Arguments.of("emoji U+1F600 between letters", bytes('x', 0xF0, 0x9F, 0x98, 0x80, 'y'), -1),
        Arguments.of("overlong C0 80 (NUL)", bytes('a', 0xC0, 0x80), 1),
        Arguments.of("overlong C1 BF", bytes(0xC1, 0xBF), 0),
        Arguments.of("overlong E0 80 80", bytes('a', 'b', 0xE0, 0x80, 0x80), 2),
        Arguments.of("overlong E0 9F BF", bytes(0xE0, 0x9F, 0xBF), 0),
        Arguments.of("overlong F0 80 80 80", bytes(0xF0, 0x80, 0x80, 0x80), 0),
        Arguments.of("overlong F0 8F BF BF", bytes(0xF0, 0x8F, 0xBF, 0xBF), 0),
        Arguments.of("surrogate ED A0 80 (U+D800)", bytes('a', 0xED, 0xA0, 0x80, 'b'), 1),
        Arguments.of("surrogate ED BF BF (U+DFFF)", bytes(0xED, 0xBF, 0xBF), 0),
        Arguments.of("above U+10FFFF: F4 90 80 80", bytes(0xF4, 0x90, 0x80, 0x80), 0),
        Arguments.of("F5 lead", bytes('a', 0xF5, 0x80, 0x80, 0x80), 1),
        Arguments.of("FF byte", bytes(0xFF), 0),
        Arguments.of("stray 80", bytes('a', 'b', 'c', 0x80), 3),
        Arguments.of("stray 80 first", bytes(0x80, 'a'), 0),
        Arguments.of("emoji truncated at the end", bytes('o', 'k', ' ', 0xF0, 0x9F, 0x98), 3),
        Arguments.of("2-byte lead at the end", bytes('a', 0xC3), 1),
        Arguments.of("3-byte sequence cut by ASCII", bytes(0xE3, 0x80, 'a'), 0),
        Arguments.of("4-byte sequence cut by a lead", bytes(0xF0, 0x9F, 0xC3, 0xA9), 0),
        Arguments.of(
            "invalid after 8 ASCII bytes",
            bytes('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 0xED, 0xA0, 0x80),
            9),
        Arguments.of(
            "valid 16 ASCII bytes then é",
            bytes(
                'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
                0xC3, 0xA9),
            -1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sequences")
  void findsTheFirstByteOfTheFirstIllFormedSequence(String name, byte[] utf8, long expected) {
    try (VarCharVector text = new VarCharVector("text", allocator);
        IntVector status = new IntVector("status", allocator)) {
      // The row under test sits between two valid rows, so that its offset is not 0.
      text.setSafe(0, bytes('x', 0xC3, 0xA9));
      text.setSafe(1, utf8);
      text.setSafe(2, bytes(0xE6, 0x97, 0xA5));
      text.setValueCount(3);
      status.allocateNew(3);
      for (int row = 0; row < 3; row++) {
        status.set(row, Rejection.SCORED);
      }
      status.setValueCount(3);

      Utf8Validation.apply(text, status);

      assertThat(Utf8Validation.firstInvalidByte(text, 1)).isEqualTo(expected);
      int rejected = Rejection.INVALID_UTF8.id();
      assertThat(new int[] {status.get(0), status.get(1), status.get(2)})
          .containsExactly(0, expected < 0 ? 0 : rejected, 0);
    }
  }

  @Test
  void nullTextIsValidAndAnEarlierReasonIsKept() {
    try (VarCharVector text = new VarCharVector("text", allocator);
        IntVector status = new IntVector("status", allocator)) {
      text.setNull(0);
      text.setSafe(1, bytes(0x80));
      text.setSafe(2, bytes(0x80));
      text.setValueCount(3);
      status.allocateNew(3);
      status.set(0, 0);
      status.set(1, Rejection.MISSING_LABEL.id());
      status.set(2, 0);
      status.setValueCount(3);

      Utf8Validation.apply(text, status);

      assertThat(Utf8Validation.firstInvalidByte(text, 0)).isEqualTo(Utf8Validation.VALID);
      assertThat(new int[] {status.get(0), status.get(1), status.get(2)})
          .containsExactly(0, Rejection.MISSING_LABEL.id(), Rejection.INVALID_UTF8.id());
    }
  }

  @Test
  void statusOfAnotherLengthIsRefused() {
    try (VarCharVector text = new VarCharVector("text", allocator);
        IntVector status = new IntVector("status", allocator)) {
      text.setSafe(0, bytes('a'));
      text.setValueCount(1);
      status.allocateNew(2);
      status.setValueCount(2);

      assertThatThrownBy(() -> Utf8Validation.apply(text, status))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid status vector status: 2 values (must have the 1 values of text)");
    }
  }

  @Test
  void rangeOutsideTheBufferIsRefused() {
    try (ArrowBuf buf = allocator.buffer(8)) {
      long capacity = buf.capacity();
      assertThatThrownBy(() -> Utf8Validation.firstInvalidByte(buf, 2, capacity + 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid byte range: [2, %d) (must lie within the buffer's [0, %d))",
              capacity + 1, capacity);
    }
  }

  /**
   * Random byte strings, mostly ASCII with bytes from every UTF-8 class mixed in, against the JDK's
   * strict UTF-8 decoder, which reports the position where the first malformed input starts.
   */
  @Test
  void randomBytesAgreeWithTheJdkDecoder() {
    int[] pool = {
      'a', ' ', 'z', 0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xDF,
      0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFF
    };
    Random random = new Random(3629L);
    int rows = 5000;
    byte[][] texts = new byte[rows][];
    try (VarCharVector text = new VarCharVector("text", allocator)) {
      for (int i = 0; i < rows; i++) {
        // A third of the rows have no loose byte from the pool, so about half are valid.
        double loose = new double[] {0, 0.03, 0.2}[random.nextInt(3)];
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int k = random.nextInt(30); k > 0; k--) {
          double pick = random.nextDouble();
          if (pick < loose) {
            b.write(pool[random.nextInt(pool.length)]);
          } else if (pick < 0.4) {
            b.writeBytes(Character.toString(randomScalarValue(random)).getBytes(UTF_8));
          } else {
            b.write('a' + random.nextInt(26));
          }
        }
        texts[i] = b.toByteArray();
        text.setSafe(i, texts[i]);
      }
      text.setValueCount(rows);

      int invalid = 0;
      for (int i = 0; i < rows; i++) {
        long expected = jdkFirstMalformed(texts[i]);
        invalid += expected < 0 ? 0 : 1;
        assertThat(Utf8Validation.firstInvalidByte(text, i))
            .as("row %d: %s", i, hex(texts[i]))
            .isEqualTo(expected);
      }
      assertThat(invalid).as("rows with invalid UTF-8").isBetween(rows / 5, rows - rows / 5);
    }
  }

  /** A code point that is not a surrogate, of 2, 3 or 4 UTF-8 bytes. */
  private static int randomScalarValue(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> 0x80 + random.nextInt(0x800 - 0x80);
      case 1 -> {
        int cp = 0x800 + random.nextInt(0x10000 - 0x800 - 0x800);
        yield cp < 0xD800 ? cp : cp + 0x800;
      }
      default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
    };
  }

  private static long jdkFirstMalformed(byte[] utf8) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(utf8);
    CoderResult result = decoder.decode(in, CharBuffer.allocate(2 * utf8.length + 2), true);
    return result.isError() ? in.position() : -1;
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static String hex(byte[] b) {
    StringBuilder out = new StringBuilder();
    for (byte x : b) {
      out.append(String.format("%02X ", x & 0xFF));
    }
    return out.toString();
  }
}
