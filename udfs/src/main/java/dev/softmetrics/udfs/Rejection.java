package dev.softmetrics.udfs;

/**
 * The reasons a row is not scored, in the order the kernels check them.
 *
 * <p>Kernels write a status column of {@code int}: {@link #SCORED} (0) for a scored row, otherwise
 * the {@link #id()} of the first reason found. A later kernel keeps a non-zero status, so the first
 * reason wins. Ids are {@code ordinal() + 1}; append new constants at the end so that stored ids
 * keep their meaning.
 */
public enum Rejection {
  /** The row's label (the columns that say which model, tokeniser and domain it belongs to). */
  MISSING_LABEL("sequence_id, model, tokenizer and domain must be non-empty strings"),
  /** The whole token log-prob list is null. */
  MISSING_LOGPROBS("token_logprobs must not be null"),
  /** The token log-prob list has no element. */
  EMPTY_LOGPROBS(
      "token_logprobs must hold at least one value to score (a null first element, the"
          + " unconditioned first token, is not scored)"),
  /** One element of the token log-prob list after the first is null. */
  NULL_LOGPROB(
      "token_logprobs must not contain null elements after position 0 (a null at 0 is the"
          + " unconditioned first token and is left out)"),
  /** One element is NaN, +Infinity or -Infinity. */
  NON_FINITE_LOGPROB("token_logprobs must hold only finite values"),
  /** One element is above the positive tolerance: a log-probability is at most 0. */
  POSITIVE_LOGPROB("token_logprobs must be <= 0 (up to the positive tolerance)"),
  /** Neither the scored text nor its byte, char and word counts are present. */
  MISSING_TEXT_AND_COUNTS("text, or at least num_bytes, must be present to count bytes"),
  /** An optional per-token list has another length than the row's token log-probs. */
  EXTRA_LENGTH_MISMATCH(
      "token_entropies, ref_logprobs and top_logprobs must hold one entry per element of"
          + " token_logprobs"),
  /** An engine-computed token entropy is null, NaN, infinite or negative. */
  INVALID_TOKEN_ENTROPY("token_entropies must hold finite values >= 0 (up to the tolerance)"),
  /** A reference log-prob is null, NaN, +Infinity or above 0. */
  INVALID_REF_LOGPROB("ref_logprobs must hold log-probabilities <= 0 (-Infinity is allowed)"),
  /** A position's top-k log-probs are missing or not a distribution's top k. */
  INVALID_TOP_LOGPROBS(
      "top_logprobs must hold, per position, 1 to vocab_size log-probabilities <= 0 whose"
          + " probabilities sum to at most 1"),
  /** Logits layout: the chunk's target ids are null or empty. */
  MISSING_TARGET_IDS("target_ids must be a non-empty list of token ids"),
  /** A target id is null, negative, or not below the vocabulary size. */
  INVALID_TARGET_ID("target_ids must hold token ids in [0, vocab_size)"),
  /** The chunk's logits are null. */
  MISSING_LOGITS("logits must not be null"),
  /** The logits do not hold one vector of the vocabulary size per target. */
  INVALID_LOGITS_SHAPE(
      "logits must hold length(target_ids) x vocab_size values, row-major (a blob: that many"
          + " logits_dtype elements, little-endian)"),
  /** The vocabulary size is missing, not positive, or disagrees with the logits. */
  INVALID_VOCAB_SIZE(
      "vocab_size must be a positive int, equal to the length of each position's logits"),
  /** A binary blob without a known element type. */
  INVALID_LOGITS_DTYPE("logits_dtype must be float32, float16 or bfloat16 for binary logits"),
  /** A logit is null, NaN or +Infinity, or every logit of a position is -Infinity. */
  INVALID_LOGIT("logits must be finite or -Infinity, with at least one finite logit per position"),
  /** The target's logit is -Infinity: probability 0, an infinite NLL. */
  TARGET_PROBABILITY_ZERO(
      "the target token's logit must be finite (-Infinity gives it probability 0 and an infinite"
          + " NLL)"),
  /** The reference logits are not a distribution of the same shape as the logits. */
  INVALID_REF_LOGITS(
      "ref_logits must have the shape of logits and hold finite or -Infinity values, at least"
          + " one finite per position"),
  /** A chunk's first position is negative. */
  INVALID_FIRST_POSITION("first_position must be >= 0"),
  /** The chunks of a sequence leave a gap, overlap, or do not start at position 0. */
  INVALID_CHUNKS(
      "the chunks of a sequence (same sequence_id, model, tokenizer, domain) must cover positions"
          + " 0 .. T-1 once each"),
  /** Two chunks of a sequence repeat the text or a count with different values. */
  CHUNK_COUNTS_DISAGREE(
      "chunks of a sequence that repeat text, num_bytes, num_chars or num_words must agree"),
  /** Another chunk of the same sequence was rejected. */
  SEQUENCE_CHUNK_REJECTED(
      "a sequence is scored whole or not at all, and another chunk of it was rejected"),
  /** A count given beside the text (num_bytes, num_chars, num_words) disagrees with the text. */
  TEXT_COUNT_MISMATCH(
      "num_bytes, num_chars and num_words, when given beside the text, must equal the text's UTF-8"
          + " bytes, code points and words"),
  /**
   * Another copy of the sequence (same sequence_id, model, tokenizer) comes first, or is already
   * stored from another file, and is kept.
   */
  DUPLICATE_SEQUENCE(
      "a sequence_id is scored once per model and tokenizer: a copy already in sequences/ from"
          + " another file is kept, else the first by source file and row; the others are"
          + " rejected"),
  /** model, tokenizer or domain is {@code __all__}, the value of the roll-up rows. */
  RESERVED_LABEL(
      "model, tokenizer and domain must not be __all__, the domain value of the roll-up rows of"
          + " corpus/, positions/ and comparisons/"),
  /** The text's bytes are not well-formed UTF-8. */
  INVALID_UTF8(
      "text must be well-formed UTF-8 as RFC 3629 defines it: no overlong forms, surrogates, code"
          + " points above U+10FFFF, truncated sequences or stray continuation bytes"),
  /** A given count (num_bytes, num_chars, num_words) that no text can have. */
  INVALID_GIVEN_COUNT(
      "num_bytes and num_chars must be >= 0 with num_chars <= num_bytes <= 4 x num_chars, and"
          + " num_words >= 1 (an empty text has 0 bytes, 0 chars and 1 word)"),
  /** A line of JSON Lines input that is not one JSON object of values of the columns' kinds. */
  MALFORMED_JSON_LINE(
      "each line of JSON Lines input must be one JSON object whose values have their columns'"
          + " kinds (strings, integers, lists of numbers)");

  /** The status value of a row that was scored; no {@link Rejection} has this id. */
  public static final int SCORED = 0;

  private static final Rejection[] BY_ORDINAL = values();

  private final String rule;

  Rejection(String rule) {
    this.rule = rule;
  }

  /**
   * The id written to status columns: {@code ordinal() + 1}, so that 0 stays free for {@link
   * #SCORED}. Cost: O(1).
   *
   * @return the 1-based id of this reason
   */
  public int id() {
    return ordinal() + 1;
  }

  /**
   * The stable text code written to output tables, equal to {@link #name()}. Cost: O(1).
   *
   * @return the code, for example {@code "NON_FINITE_LOGPROB"}
   */
  public String code() {
    return name();
  }

  /**
   * A short human sentence stating what was expected, for error messages and reports. Cost: O(1).
   *
   * @return the rule, for example {@code "token_logprobs must hold only finite values"}
   */
  public String rule() {
    return rule;
  }

  /**
   * The reason with the given id; the inverse of {@link #id()}. Cost: O(1), no allocation.
   *
   * @param id a 1-based id as written by a kernel
   * @return the reason with that id
   * @throws IllegalArgumentException if {@code id} is {@link #SCORED} or names no reason
   */
  public static Rejection ofId(int id) {
    if (id < 1 || id > BY_ORDINAL.length) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid rejection id: %d (must be in [1, %d]; %d means scored)",
              id, BY_ORDINAL.length, SCORED));
    }
    return BY_ORDINAL[id - 1];
  }
}
