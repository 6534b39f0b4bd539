package dev.softmetrics.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RejectionTest {

  @Test
  void constantsKeepTheirOrderAndIds() {
    assertThat(Rejection.values())
        .containsExactly(
            Rejection.MISSING_LABEL,
            Rejection.MISSING_LOGPROBS,
            Rejection.EMPTY_LOGPROBS,
            Rejection.NULL_LOGPROB,
            Rejection.NON_FINITE_LOGPROB,
            Rejection.POSITIVE_LOGPROB,
            Rejection.MISSING_TEXT_AND_COUNTS,
            Rejection.EXTRA_LENGTH_MISMATCH,
            Rejection.INVALID_TOKEN_ENTROPY,
            Rejection.INVALID_REF_LOGPROB,
            Rejection.INVALID_TOP_LOGPROBS,
            Rejection.MISSING_TARGET_IDS,
            Rejection.INVALID_TARGET_ID,
            Rejection.MISSING_LOGITS,
            Rejection.INVALID_LOGITS_SHAPE,
            Rejection.INVALID_VOCAB_SIZE,
            Rejection.INVALID_LOGITS_DTYPE,
            Rejection.INVALID_LOGIT,
            Rejection.TARGET_PROBABILITY_ZERO,
            Rejection.INVALID_REF_LOGITS,
            Rejection.INVALID_FIRST_POSITION,
            Rejection.INVALID_CHUNKS,
            Rejection.CHUNK_COUNTS_DISAGREE,
            Rejection.SEQUENCE_CHUNK_REJECTED,
            Rejection.TEXT_COUNT_MISMATCH,
            Rejection.DUPLICATE_SEQUENCE,
            Rejection.RESERVED_LABEL,
            Rejection.INVALID_UTF8,
            Rejection.INVALID_GIVEN_COUNT,
            Rejection.MALFORMED_JSON_LINE);
    assertThat(Rejection.MISSING_LABEL.id()).isEqualTo(1);
    assertThat(Rejection.MISSING_TEXT_AND_COUNTS.id()).isEqualTo(7);
    assertThat(Rejection.INVALID_TOP_LOGPROBS.id()).isEqualTo(11);
    assertThat(Rejection.SEQUENCE_CHUNK_REJECTED.id()).isEqualTo(24);
    assertThat(Rejection.DUPLICATE_SEQUENCE.id()).isEqualTo(26);
    assertThat(Rejection.INVALID_GIVEN_COUNT.id()).isEqualTo(29);
    assertThat(Rejection.MALFORMED_JSON_LINE.id()).isEqualTo(30);
    assertThat(Rejection.SCORED).isZero();
  }

  @ParameterizedTest
  @EnumSource(Rejection.class)
  void idCodeAndRuleDescribeEachReason(Rejection rejection) {
    assertThat(rejection.id()).isEqualTo(rejection.ordinal() + 1);
    assertThat(rejection.code()).isEqualTo(rejection.name());
    assertThat(rejection.rule()).isNotBlank();
    assertThat(Rejection.ofId(rejection.id())).isSameAs(rejection);
  }

  @Test
  void ruleSaysWhatWasExpected() {
    assertThat(Rejection.NON_FINITE_LOGPROB.rule())
        .isEqualTo("token_logprobs must hold only finite values");
  }

  @ParameterizedTest
  @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 31, 100})
  void unknownIdIsRejected(int id) {
    assertThatThrownBy(() -> Rejection.ofId(id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid rejection id: " + id + " (must be in [1, 30]; 0 means scored)");
  }
}
