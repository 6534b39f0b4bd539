package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.text.GivenCountsKernel.Count;
import dev.softmetrics.udfs.text.GivenCountsKernel.Violation;
import java.util.List;

/**
 * Every message of a rejected row, and the error that stops a run at the first bad row: one method
 * per reason, each stating what is wrong, where (the file and row, {@code where}, as {@code "<file>
 * row <n>"}), and the rule broken ({@link Rejection#rule()}). The texts are what users read in
 * {@code rejected/} and in a failed run, and tests assert them: change them only on purpose.
 *
 * <p>Only rejected rows reach here, so building a message costs the scored path nothing.
 */
public final class RejectionMessages {
  /** Bytes shown from the first bad one of a text that is not UTF-8; enough for any sequence. */
  private static final int BYTES_SHOWN = 4;

  /** Spans listed in a message before it says "and N more". */
  private static final int SPANS_SHOWN = 8;

  private RejectionMessages() {}

  /**
   * The error for the first bad row under {@code validation.on-bad-row = fail}: its reason code and
   * message, which name file and row.
   */
  public static IllegalArgumentException stopAtBadRow(String reason, String message) {
    return new IllegalArgumentException(
        "Bad row ("
            + reason
            + "), and validation.on-bad-row = fail stops the run at the first one: "
            + message
            + ". Set validation.on-bad-row = reject to write bad rows to rejected/ instead");
  }

  /** {@link Rejection#MISSING_LABEL}: {@code column} is null or empty. */
  static String missingLabel(String column, String where) {
    return "Missing label "
        + column
        + " (null or empty) in "
        + where
        + ": "
        + Rejection.MISSING_LABEL.rule();
  }

  /** {@link Rejection#RESERVED_LABEL}: {@code column} holds the roll-up's value. */
  static String reservedLabel(String column, String where) {
    return "Invalid "
        + column
        + " = "
        + CorpusRow.ALL_DOMAINS
        + " in "
        + where
        + ": the value is reserved for the roll-up, rename the label ("
        + Rejection.RESERVED_LABEL.rule()
        + ")";
  }

  /** {@link Rejection#MISSING_LOGPROBS}. */
  static String missingLogprobs(String column, String where) {
    return invalid(column, where, Rejection.MISSING_LOGPROBS);
  }

  /** {@link Rejection#MALFORMED_JSON_LINE}: what is wrong with the line. */
  static String malformedJsonLine(String problem, String where) {
    return "Malformed JSON line in "
        + where
        + ": "
        + problem
        + " ("
        + Rejection.MALFORMED_JSON_LINE.rule()
        + ")";
  }

  /** {@link Rejection#EMPTY_LOGPROBS}. */
  static String emptyLogprobs(String column, String where) {
    return invalid(column, where, Rejection.EMPTY_LOGPROBS);
  }

  /** {@link Rejection#NULL_LOGPROB}: element {@code at} of {@code column} is null. */
  static String nullLogprob(String column, int at, String where) {
    return invalidElement(column, at, "null", where, Rejection.NULL_LOGPROB);
  }

  /**
   * {@link Rejection#NON_FINITE_LOGPROB}: element {@code at} of {@code column} is {@code value}.
   */
  static String nonFiniteLogprob(String column, int at, double value, String where) {
    return invalidElement(column, at, Double.toString(value), where, Rejection.NON_FINITE_LOGPROB);
  }

  /** {@link Rejection#POSITIVE_LOGPROB}: element {@code at} of {@code column} is {@code value}. */
  static String positiveLogprob(String column, int at, double value, String where) {
    return invalidElement(column, at, Double.toString(value), where, Rejection.POSITIVE_LOGPROB);
  }

  /**
   * {@link Rejection#EXTRA_LENGTH_MISMATCH}: {@code column} has {@code tokens} elements, and each
   * extra column whose length is neither {@code tokens} nor -1 (absent or null) is named with it.
   */
  static String extraLengthMismatch(
      String column, int tokens, List<String> extraColumns, int[] extraLengths, String where) {
    StringBuilder lengths = new StringBuilder();
    for (int e = 0; e < extraLengths.length; e++) {
      if (extraLengths[e] >= 0 && extraLengths[e] != tokens) {
        lengths.append(", ").append(extraColumns.get(e)).append(" has ").append(extraLengths[e]);
      }
    }
    return "Invalid per-token lengths in "
        + where
        + ": "
        + column
        + " has "
        + tokens
        + lengths
        + " ("
        + Rejection.EXTRA_LENGTH_MISMATCH.rule()
        + ")";
  }

  /** {@link Rejection#INVALID_TOKEN_ENTROPY}. */
  static String invalidTokenEntropy(String column, String where) {
    return invalid(column, where, Rejection.INVALID_TOKEN_ENTROPY);
  }

  /** {@link Rejection#INVALID_REF_LOGPROB}. */
  static String invalidRefLogprob(String column, String where) {
    return invalid(column, where, Rejection.INVALID_REF_LOGPROB);
  }

  /** {@link Rejection#INVALID_TOP_LOGPROBS}. */
  static String invalidTopLogprobs(String column, String vocabColumn, String where) {
    return invalid(column + " or " + vocabColumn, where, Rejection.INVALID_TOP_LOGPROBS);
  }

  /** {@link Rejection#MISSING_TEXT_AND_COUNTS} for one row: both columns are null. */
  static String missingTextAndCounts(String textColumn, String bytesColumn, String where) {
    return "Cannot count bytes in "
        + where
        + ": "
        + textColumn
        + " and "
        + bytesColumn
        + " are both null ("
        + Rejection.MISSING_TEXT_AND_COUNTS.rule()
        + ")";
  }

  /**
   * {@link Rejection#INVALID_UTF8}: {@code text} (the row's bytes) goes wrong at {@code offset};
   * shown as bytes from there, never as text.
   */
  static String invalidUtf8(String column, byte[] text, long offset, String where) {
    StringBuilder shown = new StringBuilder();
    int end = (int) Math.min(text.length, offset + BYTES_SHOWN);
    for (int i = (int) offset; i < end; i++) {
      shown.append(i == offset ? "" : " ").append(String.format("0x%02X", text[i] & 0xFF));
    }
    return "Invalid "
        + column
        + " in "
        + where
        + ": "
        + column
        + " is not valid UTF-8 at byte offset "
        + offset
        + " ("
        + shown
        + (end < text.length ? "..." : "")
        + ") ("
        + Rejection.INVALID_UTF8.rule()
        + ")";
  }

  /**
   * {@link Rejection#INVALID_GIVEN_COUNT}: the given count of {@code violation} is {@code value};
   * {@code beside} is the other count of the pair it breaks (unused for a lone count).
   */
  static String invalidGivenCount(
      ColumnNames names, Violation violation, long value, long beside, String where) {
    String invalid = "Invalid " + countColumn(names, violation.count()) + " = " + value;
    String pair =
        " (must be "
            + names.numChars()
            + " <= "
            + names.numBytes()
            + " <= 4 x "
            + names.numChars()
            + ": a code point takes 1 to 4 UTF-8 bytes)";
    return switch (violation) {
      case NEGATIVE_BYTES, NEGATIVE_CHARS -> invalid + " in " + where + " (must be >= 0)";
      case NO_WORDS -> invalid + " in " + where + " (must be >= 1: even an empty text has 1 word)";
      case CHARS_ABOVE_BYTES ->
          invalid + " beside " + names.numBytes() + " = " + beside + " in " + where + pair;
      case BYTES_ABOVE_FOUR_CHARS ->
          invalid + " beside " + names.numChars() + " = " + beside + " in " + where + pair;
    };
  }

  /**
   * {@link Rejection#TEXT_COUNT_MISMATCH}: {@code count} is given as one number, the text has
   * another.
   */
  static String textCountMismatch(
      ColumnNames names, Count count, long given, long fromText, String where) {
    String unit =
        switch (count) {
          case BYTES -> "UTF-8 bytes";
          case CHARS -> "code points";
          case WORDS -> "words";
        };
    return "Invalid "
        + countColumn(names, count)
        + " = "
        + given
        + " in "
        + where
        + ": its "
        + names.text()
        + " has "
        + fromText
        + " "
        + unit
        + " ("
        + Rejection.TEXT_COUNT_MISMATCH.rule()
        + ")";
  }

  /** {@link Rejection#INVALID_FIRST_POSITION}. */
  static String invalidFirstPosition(String column, String where) {
    return invalid(column, where, Rejection.INVALID_FIRST_POSITION);
  }

  /** {@link Rejection#MISSING_TARGET_IDS}. */
  static String missingTargetIds(String column, String where) {
    return invalid(column, where, Rejection.MISSING_TARGET_IDS);
  }

  /** {@link Rejection#INVALID_TARGET_ID}: element {@code at} of {@code column} is {@code value}. */
  static String invalidTargetId(String column, int at, Object value, String where) {
    return invalidElement(column, at, String.valueOf(value), where, Rejection.INVALID_TARGET_ID);
  }

  /** {@link Rejection#MISSING_LOGITS}. */
  static String missingLogits(String column, String where) {
    return invalid(column, where, Rejection.MISSING_LOGITS);
  }

  /** {@link Rejection#INVALID_LOGITS_DTYPE}. */
  static String invalidLogitsDtype(String column, String where) {
    return invalid(column, where, Rejection.INVALID_LOGITS_DTYPE);
  }

  /** {@link Rejection#INVALID_VOCAB_SIZE} of one chunk: its logits do not fit the vocabulary. */
  static String invalidVocabSize(ColumnNames names, String where) {
    return logitsShape(names, where, Rejection.INVALID_VOCAB_SIZE);
  }

  /** {@link Rejection#INVALID_LOGITS_SHAPE}. */
  static String invalidLogitsShape(ColumnNames names, String where) {
    return logitsShape(names, where, Rejection.INVALID_LOGITS_SHAPE);
  }

  /**
   * {@link Rejection#INVALID_LOGIT}, at element {@code at} of a chunk that starts at position
   * {@code first} ({@code at} < 0: no element is named).
   */
  static String invalidLogit(String column, long first, int at, String where) {
    return invalid(column + position(first, at), where, Rejection.INVALID_LOGIT);
  }

  /** {@link Rejection#TARGET_PROBABILITY_ZERO}, placed as in {@link #invalidLogit}. */
  static String targetProbabilityZero(String column, long first, int at, String where) {
    return invalid(column + position(first, at), where, Rejection.TARGET_PROBABILITY_ZERO);
  }

  /** {@link Rejection#INVALID_REF_LOGITS}, placed as in {@link #invalidLogit}. */
  static String invalidRefLogits(String column, long first, int at, String where) {
    return invalid(column + position(first, at), where, Rejection.INVALID_REF_LOGITS);
  }

  /**
   * {@link Rejection#DUPLICATE_SEQUENCE}: the copy at {@code where} of a sequence whose copy in
   * {@code kept} is kept.
   */
  public static String duplicateSequence(
      String sequenceId, String model, String tokenizer, String where, DuplicateCopies.Copy kept) {
    return "Duplicate sequence "
        + sequenceId
        + " (model "
        + model
        + ", tokenizer "
        + tokenizer
        + ") in "
        + where
        + ": the copy in "
        + kept.where()
        + " is kept ("
        + Rejection.DUPLICATE_SEQUENCE.rule()
        + ")";
  }

  /** {@link Rejection#DUPLICATE_SEQUENCE} for a chunk that repeats another chunk's positions. */
  static String duplicateChunk(SequenceKey key, Chunk chunk, DuplicateCopies.Copy kept) {
    return duplicateSequence(
        key.sequenceId(),
        key.model(),
        key.tokenizer(),
        chunk.where() + " (positions " + chunk.span() + ")",
        kept);
  }

  /**
   * {@link Rejection#DUPLICATE_SEQUENCE} for a chunk of a sequence that another run or file has.
   */
  static String duplicateSequenceChunk(SequenceKey key, Chunk chunk, DuplicateCopies.Copy kept) {
    return duplicateSequence(
        key.sequenceId(),
        key.model(),
        key.tokenizer(),
        chunk.where() + " (domain " + key.domain() + ", positions " + chunk.span() + ")",
        kept);
  }

  /** A sequence of the logits layout, as the messages about its chunks name it. */
  static String sequence(SequenceKey key) {
    return "sequence "
        + key.sequenceId()
        + " (model "
        + key.model()
        + ", tokenizer "
        + key.tokenizer()
        + ", domain "
        + key.domain()
        + ")";
  }

  /**
   * {@link Rejection#SEQUENCE_CHUNK_REJECTED}: {@code chunk} of {@code sequence} is not scored
   * because its chunk {@code rejected} was.
   */
  static String sequenceChunkRejected(String sequence, Chunk chunk, Chunk rejected) {
    return "Not scored: the chunk at positions "
        + chunk.span()
        + " of "
        + sequence
        + " in "
        + chunk.where()
        + ", because its chunk in "
        + rejected.where()
        + " was rejected ("
        + Rejection.ofId(rejected.status()).code()
        + "); "
        + Rejection.SEQUENCE_CHUNK_REJECTED.rule();
  }

  /** {@link Rejection#INVALID_CHUNKS}: the chunks, in position order, do not tile the sequence. */
  static String invalidChunks(String sequence, Chunk chunk, List<Chunk> chunks) {
    return "Invalid chunks of "
        + sequence
        + " (this one "
        + chunk.where()
        + "): they cover "
        + spans(chunks)
        + " ("
        + Rejection.INVALID_CHUNKS.rule()
        + ")";
  }

  /** {@link Rejection#INVALID_VOCAB_SIZE} of a sequence: its chunks' vocabularies differ. */
  static String chunkVocabSizesDiffer(String sequence, Chunk chunk) {
    return "Invalid chunks of "
        + sequence
        + " (this one "
        + chunk.where()
        + ", vocabulary "
        + chunk.vocab()
        + "): their logits have different vocabulary sizes ("
        + Rejection.INVALID_VOCAB_SIZE.rule()
        + ")";
  }

  /** {@link Rejection#MISSING_TEXT_AND_COUNTS} of a sequence: no chunk has text or a byte count. */
  static String sequenceWithoutCounts(String sequence, Chunk chunk) {
    return "Cannot count bytes of "
        + sequence
        + " (this chunk "
        + chunk.where()
        + "): no chunk of it has text or num_bytes ("
        + Rejection.MISSING_TEXT_AND_COUNTS.rule()
        + ")";
  }

  /** {@link Rejection#CHUNK_COUNTS_DISAGREE}: chunks {@code a} and {@code b} give other counts. */
  static String chunkCountsDisagree(String sequence, Chunk chunk, Chunk a, Chunk b) {
    return "Invalid counts of "
        + sequence
        + " (this chunk "
        + chunk.where()
        + "): "
        + a.where()
        + " gives "
        + counts(a)
        + ", "
        + b.where()
        + " gives "
        + counts(b)
        + " ("
        + Rejection.CHUNK_COUNTS_DISAGREE.rule()
        + ")";
  }

  /** "Invalid {@code what} in {@code where}: rule", the message of most reasons. */
  private static String invalid(String what, String where, Rejection rejection) {
    return "Invalid " + what + " in " + where + ": " + rejection.rule();
  }

  private static String invalidElement(
      String column, int at, String value, String where, Rejection rejection) {
    return "Invalid "
        + column
        + "["
        + at
        + "] = "
        + value
        + " in "
        + where
        + " ("
        + rejection.rule()
        + ")";
  }

  private static String logitsShape(ColumnNames names, String where, Rejection rejection) {
    return invalid(
        "shape of " + names.logits() + " (" + names.vocabSize() + ", " + names.targetIds() + ")",
        where,
        rejection);
  }

  private static String position(long first, int at) {
    return at < 0 ? "" : " at position " + (first + at) + " (element " + at + " of the chunk)";
  }

  /** The column a count is given in. */
  private static String countColumn(ColumnNames names, Count count) {
    return switch (count) {
      case BYTES -> names.numBytes();
      case CHARS -> names.numChars();
      case WORDS -> names.numWords();
    };
  }

  private static String spans(List<Chunk> chunks) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(chunks.size(), SPANS_SHOWN); i++) {
      out.append(i == 0 ? "" : " ").append(chunks.get(i).span());
    }
    if (chunks.size() > SPANS_SHOWN) {
      out.append(" and ").append(chunks.size() - SPANS_SHOWN).append(" more");
    }
    return out.toString();
  }

  private static String counts(Chunk c) {
    return "bytes "
        + c.bytes()
        + (c.chars() >= 0 ? ", chars " + c.chars() : "")
        + (c.words() >= 0 ? ", words " + c.words() : "");
  }
}
