package dev.softmetrics.udfs.text;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.text.GivenCountsKernel.Count;
import dev.softmetrics.udfs.text.GivenCountsKernel.Counts;
import dev.softmetrics.udfs.text.GivenCountsKernel.Violation;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GivenCountsKernelTest {

  private BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  @Test
  void aGivenCountThatDiffersFromTheTextRejectsTheRow() {
    // METRICS.md: "héllo" is 6 bytes, 5 chars, 1 word; " a b " is 5 bytes, 5 chars, 4 words.
    String[] texts = {"héllo", "héllo", "héllo", " a b ", null, "héllo", "héllo"};
    Long[] bytes = {6L, 5L, 6L, 5L, 9L, null, 6L};
    Long[] chars = {5L, 5L, 6L, 5L, 9L, null, 5L};
    Long[] words = {1L, 1L, 1L, 2L, 9L, null, 1L};
    int[] before = {0, 0, 0, 0, 0, 0, Rejection.POSITIVE_LOGPROB.id()};
    try (Fixture f = new Fixture(texts, bytes, chars, words, before)) {
      GivenCountsKernel.apply(f.fromText, f.given, f.status);
      int mismatch = Rejection.TEXT_COUNT_MISMATCH.id();
      assertThat(statuses(f.status))
          .containsExactly(0, mismatch, mismatch, mismatch, 0, 0, Rejection.POSITIVE_LOGPROB.id());
      assertThat(GivenCountsKernel.firstMismatch(f.fromText, f.given, 0)).isNull();
      assertThat(GivenCountsKernel.firstMismatch(f.fromText, f.given, 1)).isEqualTo(Count.BYTES);
      assertThat(GivenCountsKernel.firstMismatch(f.fromText, f.given, 2)).isEqualTo(Count.CHARS);
      assertThat(GivenCountsKernel.firstMismatch(f.fromText, f.given, 3)).isEqualTo(Count.WORDS);
      // No text: nothing to compare with; null given counts: nothing to compare.
      assertThat(GivenCountsKernel.firstMismatch(f.fromText, f.given, 4)).isNull();
      assertThat(GivenCountsKernel.firstMismatch(f.fromText, f.given, 5)).isNull();
    }
  }

  @Test
  void absentCountColumnsAreNotCompared() {
    String[] texts = {"日本語", "😀"};
    Long[] bytes = {9L, 4L};
    try (Fixture f = new Fixture(texts, bytes, null, null, new int[2])) {
      // Only num_bytes is given; it agrees (9 and 4 bytes), chars and words are absent.
      Counts onlyBytes = new Counts(f.given.bytes(), null, null);
      GivenCountsKernel.apply(f.fromText, onlyBytes, f.status);
      assertThat(statuses(f.status)).containsExactly(0, 0);
    }
  }

  @Test
  void countsThatNoTextCanHaveAreRejected() {
    // (bytes, chars, words) -> the first broken rule, by hand: a UTF-8 text has chars <= bytes <=
    // 4 x chars, and at least 1 word ("" has 0 bytes, 0 chars, 1 word).
    Long[] bytes = {0L, 4L, 1L, null, -5L, 5L, 5L, 3L, 9L, 9L, -1L, Long.MAX_VALUE, Long.MAX_VALUE};
    Long[] chars = {
      0L, 1L, 1L, null, null, -7L, null, 4L, 2L, 3L, 2L, 1L << 61, Long.MAX_VALUE / 4
    };
    Long[] words = {1L, 1L, 9L, 1L, null, null, 0L, null, null, -1L, 0L, null, null};
    Violation[] expected = {
      null,
      null,
      null,
      null,
      Violation.NEGATIVE_BYTES,
      Violation.NEGATIVE_CHARS,
      Violation.NO_WORDS,
      Violation.CHARS_ABOVE_BYTES,
      Violation.BYTES_ABOVE_FOUR_CHARS,
      Violation.NO_WORDS,
      Violation.NEGATIVE_BYTES,
      null,
      Violation.BYTES_ABOVE_FOUR_CHARS
    };
    String[] texts = new String[bytes.length];
    int[] before = new int[bytes.length];
    before[8] = Rejection.MISSING_LABEL.id();
    try (Fixture f = new Fixture(texts, bytes, chars, words, before)) {
      GivenCountsKernel.validate(f.given, f.status);
      for (int row = 0; row < bytes.length; row++) {
        assertThat(GivenCountsKernel.firstViolation(f.given, row))
            .as("row %d", row)
            .isEqualTo(expected[row]);
        int status =
            row == 8
                ? Rejection.MISSING_LABEL.id()
                : expected[row] == null ? 0 : Rejection.INVALID_GIVEN_COUNT.id();
        assertThat(f.status.get(row)).as("status of row %d", row).isEqualTo(status);
      }
    }
    assertThat(Violation.CHARS_ABOVE_BYTES.count()).isEqualTo(Count.CHARS);
    assertThat(Violation.BYTES_ABOVE_FOUR_CHARS.count()).isEqualTo(Count.BYTES);
  }

  @Test
  void absentCountColumnsBreakNoRule() {
    try (Fixture f = new Fixture(new String[] {null}, new Long[] {-1L}, null, null, new int[1]);
        BigIntVector twoRows = new BigIntVector("num_words", allocator)) {
      Counts onlyChars = new Counts(null, f.given.chars(), null);
      GivenCountsKernel.validate(onlyChars, f.status);
      assertThat(statuses(f.status)).containsExactly(0);
      twoRows.allocateNew(2);
      twoRows.setValueCount(2);
      assertThatThrownBy(
              () -> GivenCountsKernel.validate(new Counts(null, null, twoRows), f.status))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid count vector num_words: 2 values (must have the 1 values of status)");
    }
  }

  @Test
  void statusOfAnotherLengthIsRefused() {
    try (Fixture f = new Fixture(new String[] {"a"}, new Long[] {1L}, null, null, new int[1]);
        IntVector wrong = new IntVector("status", allocator)) {
      wrong.allocateNew(2);
      wrong.setValueCount(2);
      assertThatThrownBy(() -> GivenCountsKernel.apply(f.fromText, f.given, wrong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must have the 1 values");
    }
  }

  private static int[] statuses(IntVector status) {
    int[] out = new int[status.getValueCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = status.get(i);
    }
    return out;
  }

  /** Text and given-count vectors; the text's counts come from {@link TextCountKernel}. */
  private final class Fixture implements AutoCloseable {
    final VarCharVector text = new VarCharVector("text", allocator);
    final BigIntVector textBytes = new BigIntVector("bytes", allocator);
    final BigIntVector textChars = new BigIntVector("chars", allocator);
    final BigIntVector textWords = new BigIntVector("words", allocator);
    final BigIntVector givenBytes;
    final BigIntVector givenChars;
    final BigIntVector givenWords;
    final IntVector status = new IntVector("status", allocator);
    final Counts fromText;
    final Counts given;

    Fixture(String[] texts, Long[] bytes, Long[] chars, Long[] words, int[] before) {
      text.allocateNew();
      for (int i = 0; i < texts.length; i++) {
        if (texts[i] == null) {
          text.setNull(i);
        } else {
          text.setSafe(i, texts[i].getBytes(UTF_8));
        }
      }
      text.setValueCount(texts.length);
      TextCountKernel.apply(text, textBytes, textChars, textWords);
      givenBytes = longs("num_bytes", bytes, texts.length);
      givenChars = longs("num_chars", chars, texts.length);
      givenWords = longs("num_words", words, texts.length);
      status.allocateNew(before.length);
      for (int i = 0; i < before.length; i++) {
        status.set(i, before[i]);
      }
      status.setValueCount(before.length);
      fromText = new Counts(textBytes, textChars, textWords);
      given = new Counts(givenBytes, givenChars, givenWords);
    }

    private BigIntVector longs(String name, Long[] values, int n) {
      BigIntVector v = new BigIntVector(name, allocator);
      v.allocateNew(n);
      for (int i = 0; i < n; i++) {
        if (values == null || values[i] == null) {
          v.setNull(i);
        } else {
          v.set(i, values[i]);
        }
      }
      v.setValueCount(n);
      return v;
    }

    @Override
    public void close() {
      for (var v :
          new org.apache.arrow.vector.ValueVector[] {
            text, textBytes, textChars, textWords, givenBytes, givenChars, givenWords, status
          }) {
        v.close();
      }
    }
  }
}
