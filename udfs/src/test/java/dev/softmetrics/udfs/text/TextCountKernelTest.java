package dev.softmetrics.udfs.text;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TextCountKernelTest {

  /** Python 3's {@code \s} for str patterns, written out independently of the kernel. */
  private static final int[] PYTHON_WHITESPACE =
      IntStream.concat(
              IntStream.concat(
                  IntStream.rangeClosed(0x09, 0x0D), IntStream.rangeClosed(0x1C, 0x20)),
              IntStream.concat(
                  IntStream.of(0x85, 0xA0, 0x1680),
                  IntStream.concat(
                      IntStream.rangeClosed(0x2000, 0x200A),
                      IntStream.of(0x2028, 0x2029, 0x202F, 0x205F, 0x3000))))
          .toArray();

  private static final Pattern PYTHON_WHITESPACE_RUN =
      Pattern.compile(
          "[\\t\\n\\u000B\\f\\r\\u001C-\\u001F \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]+");

  private BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  static Stream<Arguments> countTable() {
    return Stream.of(
        Arguments.of("héllo", 6, 5, 1),
        Arguments.of("日本語", 9, 3, 1),
        Arguments.of("😀", 4, 1, 1),
        Arguments.of(" a b ", 5, 5, 4),
        Arguments.of("", 0, 0, 1),
        Arguments.of("a", 1, 1, 1),
        Arguments.of("hello world", 11, 11, 2),
        Arguments.of("a  b", 4, 4, 2),
        Arguments.of(" a", 2, 2, 2),
        Arguments.of("a ", 2, 2, 2),
        Arguments.of(" ", 1, 1, 2),
        Arguments.of("\t\n\r ", 4, 4, 2),
        Arguments.of(" \u3000\n", 5, 3, 2),
        Arguments.of("a \u3000\nb", 7, 5, 2),
        Arguments.of("a\u00A0b\u2003c", 8, 5, 3),
        Arguments.of("日本語 テキスト", 22, 8, 2),
        Arguments.of("東京\u3000大阪", 15, 5, 2),
        Arguments.of("😀 😀😀 x", 15, 6, 3),
        Arguments.of("a\u200Bb", 5, 3, 1),
        Arguments.of("a\uFEFFb c", 7, 5, 2));
  }

  @ParameterizedTest(name = "\"{0}\": {1} bytes, {2} chars, {3} words")
  @MethodSource("countTable")
  void countsBytesCharsAndWords(String text, long bytes, long chars, long words) {
    assertThat(countsInBatch(text)).containsExactly(bytes, chars, words);
    assertThat(TextCountKernel.utf8Bytes(text)).isEqualTo(bytes);
    assertThat(TextCountKernel.codePoints(text)).isEqualTo(chars);
    assertThat(TextCountKernel.words(text)).isEqualTo(words);
  }

  /**
   * U+1F600 written out as its four UTF-8 bytes (RFC 3629: F0 9F 98 80), not encoded by the JDK.
   */
  @Test
  void aFourByteCodePointIsOneCharThoughItIsTwoUtf16Units() {
    byte[] emoji = {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80};
    try (ArrowBuf buf = allocator.buffer(emoji.length)) {
      buf.setBytes(0, emoji);
      assertThat(TextCountKernel.codePoints(buf, 0, emoji.length)).isEqualTo(1);
      assertThat(TextCountKernel.words(buf, 0, emoji.length)).isEqualTo(1);
    }
    // The same code point as a surrogate pair, two UTF-16 units.
    assertThat(TextCountKernel.codePoints("\uD83D\uDE00")).isEqualTo(1);
    assertThat(TextCountKernel.utf8Bytes("\uD83D\uDE00")).isEqualTo(4);
  }

  /**
   * Every code point of Unicode except the surrogates, each between two letters: the words split
   * exactly at the 29 code points of Python's {@code \s} written out above, and nowhere else.
   */
  @Test
  void wordsSplitAtPythonsWhitespaceAndAtNoOtherCodePoint() {
    java.util.Set<Integer> whitespace = new java.util.HashSet<>();
    for (int cp : PYTHON_WHITESPACE) {
      whitespace.add(cp);
    }
    int[] codePoints =
        IntStream.rangeClosed(0, Character.MAX_CODE_POINT)
            .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
            .toArray();
    try (VarCharVector text = new VarCharVector("text", allocator);
        BigIntVector bytes = new BigIntVector("bytes", allocator);
        BigIntVector chars = new BigIntVector("chars", allocator);
        BigIntVector words = new BigIntVector("words", allocator)) {
      for (int i = 0; i < codePoints.length; i++) {
        text.setSafe(i, ("a" + Character.toString(codePoints[i]) + "b").getBytes(UTF_8));
      }
      text.setValueCount(codePoints.length);

      TextCountKernel.apply(text, bytes, chars, words);

      int splitting = 0;
      for (int i = 0; i < codePoints.length; i++) {
        long expected = whitespace.contains(codePoints[i]) ? 2 : 1;
        if (words.get(i) != expected) {
          assertThat(words.get(i)).as("words of a U+%X b", codePoints[i]).isEqualTo(expected);
        }
        splitting += words.get(i) == 2 ? 1 : 0;
      }
      assertThat(splitting).isEqualTo(29);
    }
  }

  static IntStream pythonWhitespace() {
    return IntStream.of(PYTHON_WHITESPACE);
  }

  @ParameterizedTest(name = "U+{0}")
  @MethodSource("pythonWhitespace")
  void everyPythonWhitespaceCodePointSplitsWords(int codePoint) {
    String ws = Character.toString(codePoint);

    assertThat(countsInBatch("a" + ws + "b")[2]).isEqualTo(2);
    assertThat(TextCountKernel.words("a" + ws + "b")).isEqualTo(2);
    assertThat(TextCountKernel.words(ws)).isEqualTo(2);
    assertThat(TextCountKernel.words("a" + ws + ws + " b")).isEqualTo(2);
    assertThat(TextCountKernel.words(ws + "a" + ws)).isEqualTo(3);
    assertThat(TextCountKernel.codePoints("a" + ws + "b")).isEqualTo(3);
  }

  /**
   * Not whitespace in Python: U+200B, U+180E, U+FEFF, and code points whose UTF-8 encoding is one
   * byte away from a whitespace code point's.
   */
  @ParameterizedTest(name = "U+{0}")
  @MethodSource("nonWhitespace")
  void otherCodePointsDoNotSplitWords(int codePoint) {
    String s = "a" + Character.toString(codePoint) + "b";

    assertThat(countsInBatch(s)[2]).isEqualTo(1);
    assertThat(TextCountKernel.words(s)).isEqualTo(1);
  }

  static IntStream nonWhitespace() {
    return IntStream.of(
        0x200B, 0x180E, 0xFEFF, 0x08, 0x0E, 0x1B, 0x21, 0x7F, 0x84, 0x86, 0x9F, 0xA1, 0x145, 0x167F,
        0x1681, 0x1FFF, 0x200C, 0x2027, 0x202A, 0x202E, 0x2030, 0x205E, 0x2060, 0x2080, 0x2FFF,
        0x3001, 0xE000);
  }

  @Test
  void nullTextGivesNullCounts() {
    try (VarCharVector text = new VarCharVector("text", allocator);
        BigIntVector bytes = new BigIntVector("bytes", allocator);
        BigIntVector chars = new BigIntVector("chars", allocator);
        BigIntVector words = new BigIntVector("words", allocator)) {
      text.setNull(0);
      text.setSafe(1, "a b".getBytes(UTF_8));
      text.setNull(2);
      text.setValueCount(3);

      TextCountKernel.apply(text, bytes, chars, words);

      assertThat(bytes.getValueCount()).isEqualTo(3);
      assertThat(chars.getValueCount()).isEqualTo(3);
      assertThat(words.getValueCount()).isEqualTo(3);
      for (int row : new int[] {0, 2}) {
        assertThat(bytes.isNull(row)).isTrue();
        assertThat(chars.isNull(row)).isTrue();
        assertThat(words.isNull(row)).isTrue();
      }
      assertThat(new long[] {bytes.get(1), chars.get(1), words.get(1)}).containsExactly(3, 3, 2);
    }
  }

  @Test
  void emptyBatchSetsValueCounts() {
    try (VarCharVector text = new VarCharVector("text", allocator);
        BigIntVector bytes = new BigIntVector("bytes", allocator);
        BigIntVector chars = new BigIntVector("chars", allocator);
        BigIntVector words = new BigIntVector("words", allocator)) {
      text.setValueCount(0);

      TextCountKernel.apply(text, bytes, chars, words);

      assertThat(bytes.getValueCount()).isZero();
      assertThat(chars.getValueCount()).isZero();
      assertThat(words.getValueCount()).isZero();
    }
  }

  @Test
  void bufferRangeStopsAtItsEnd() {
    // "x" U+3000 "y", then a range that cuts U+3000 after two of its three bytes.
    byte[] utf8 = "x\u3000y".getBytes(UTF_8);
    try (ArrowBuf buf = allocator.buffer(utf8.length)) {
      buf.setBytes(0, utf8);

      assertThat(TextCountKernel.words(buf, 0, utf8.length)).isEqualTo(2);
      assertThat(TextCountKernel.codePoints(buf, 0, utf8.length)).isEqualTo(3);
      assertThat(TextCountKernel.words(buf, 0, 3)).isEqualTo(1);
      assertThat(TextCountKernel.words(buf, 1, 4)).isEqualTo(2);
      assertThat(TextCountKernel.codePoints(buf, 1, 4)).isEqualTo(1);
      assertThat(TextCountKernel.words(buf, 2, 2)).isEqualTo(1);
    }
  }

  @Test
  void malformedUtf8CountsLeadBytes() {
    // A stray continuation byte, a C2 85 (U+0085) pair, a lone C2 and a truncated E3 80.
    byte[] bytes = {
      (byte) 0x80, 'a', (byte) 0xC2, (byte) 0x85, 'b', (byte) 0xC2, (byte) 0xE3, (byte) 0x80
    };
    try (ArrowBuf buf = allocator.buffer(bytes.length)) {
      buf.setBytes(0, bytes);

      assertThat(TextCountKernel.codePoints(buf, 0, bytes.length)).isEqualTo(5);
      assertThat(TextCountKernel.words(buf, 0, bytes.length)).isEqualTo(2);
    }
  }

  @Test
  void rangeOutsideTheBufferIsRejected() {
    try (ArrowBuf buf = allocator.buffer(8)) {
      long capacity = buf.capacity();

      assertThatThrownBy(() -> TextCountKernel.words(buf, 0, capacity + 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid byte range: [0, %d) (must lie within the buffer's [0, %d))",
              capacity + 1, capacity);
      assertThatThrownBy(() -> TextCountKernel.codePoints(buf, 3, 2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid byte range: [3, 2) (must lie within the buffer's [0, %d))", capacity);
      assertThatThrownBy(() -> TextCountKernel.codePoints(buf, -1, 2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid byte range: [-1, 2)");
    }
  }

  @Test
  void randomTextsMatchAnIndependentReference() {
    int[] alphabet =
        IntStream.concat(
                IntStream.of(
                    'a', 'b', 'Z', '0', '.', 0xE9, 0xDF, 0x436, 0x65E5, 0x8A9E, 0x1F600, 0x1F389,
                    0x200B, 0x180E, 0xFEFF),
                IntStream.of(PYTHON_WHITESPACE))
            .toArray();
    Random random = new Random(20240611L);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(25);
      for (int k = 0; k < length; k++) {
        s.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
      }
      texts.add(s.toString());
    }
    assertCountsMatchReference(texts);
  }

  /**
   * Long texts of mostly non-whitespace with sparse whitespace, as real text is, so that whole
   * 8-byte blocks without whitespace occur and whitespace code points straddle block edges at every
   * offset.
   */
  @Test
  void longSparseTextsMatchAnIndependentReference() {
    int[] letters = {'a', 'q', 'Z', '7', ',', 0xE9, 0xDF, 0x436, 0x65E5, 0x3042, 0x1F600, 0x200B};
    Random random = new Random(7L);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(300);
      for (int k = 0; k < length; k++) {
        boolean space = random.nextInt(8) == 0;
        s.appendCodePoint(
            space
                ? PYTHON_WHITESPACE[random.nextInt(PYTHON_WHITESPACE.length)]
                : letters[random.nextInt(letters.length)]);
      }
      texts.add(s.toString());
    }
    assertCountsMatchReference(texts);
  }

  private void assertCountsMatchReference(List<String> texts) {
    try (VarCharVector text = new VarCharVector("text", allocator);
        BigIntVector bytes = new BigIntVector("bytes", allocator);
        BigIntVector chars = new BigIntVector("chars", allocator);
        BigIntVector words = new BigIntVector("words", allocator)) {
      for (int i = 0; i < texts.size(); i++) {
        text.setSafe(i, texts.get(i).getBytes(UTF_8));
      }
      text.setValueCount(texts.size());

      TextCountKernel.apply(text, bytes, chars, words);

      for (int i = 0; i < texts.size(); i++) {
        String s = texts.get(i);
        long expectedWords = PYTHON_WHITESPACE_RUN.split(s, -1).length;
        long expectedChars = s.codePointCount(0, s.length());
        long expectedBytes = s.getBytes(UTF_8).length;
        assertThat(words.get(i)).as("words of row %d %s", i, escaped(s)).isEqualTo(expectedWords);
        assertThat(chars.get(i)).as("chars of row %d %s", i, escaped(s)).isEqualTo(expectedChars);
        assertThat(bytes.get(i)).as("bytes of row %d %s", i, escaped(s)).isEqualTo(expectedBytes);
        assertThat(TextCountKernel.words(s)).isEqualTo(expectedWords);
        assertThat(TextCountKernel.codePoints(s)).isEqualTo(expectedChars);
        assertThat(TextCountKernel.utf8Bytes(s)).isEqualTo(expectedBytes);
      }
    }
  }

  /** Runs the batch kernel with {@code s} between two other rows, so that its offset is not 0. */
  private long[] countsInBatch(String s) {
    try (VarCharVector text = new VarCharVector("text", allocator);
        BigIntVector bytes = new BigIntVector("bytes", allocator);
        BigIntVector chars = new BigIntVector("chars", allocator);
        BigIntVector words = new BigIntVector("words", allocator)) {
      text.setSafe(0, "\u3000x y".getBytes(UTF_8));
      text.setSafe(1, s.getBytes(UTF_8));
      text.setSafe(2, " z\u2028".getBytes(UTF_8));
      text.setValueCount(3);

      TextCountKernel.apply(text, bytes, chars, words);

      assertThat(new long[] {bytes.get(0), chars.get(0), words.get(0)}).containsExactly(6, 4, 3);
      assertThat(new long[] {bytes.get(2), chars.get(2), words.get(2)}).containsExactly(5, 3, 3);
      return new long[] {bytes.get(1), chars.get(1), words.get(1)};
    }
  }

  private static String escaped(String s) {
    StringBuilder out = new StringBuilder("\"");
    s.codePoints()
        .forEach(
            cp ->
                out.append(
                    cp < 0x7F && cp > 0x20
                        ? Character.toString(cp)
                        : String.format("\\u{%X}", cp)));
    return out.append('"').toString();
  }
}
