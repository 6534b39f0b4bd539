package dev.softmetrics.demo.europarl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DemoTokenizerTest {
  @ParameterizedTest
  @EnumSource(DemoTokenizer.class)
  void theLastIdIsVMinusOne(DemoTokenizer tokenizer) {
    int last = tokenizer.vocabSize() - 1;
    assertThat(new String(tokenizer.decodeBytes(new int[] {last}), StandardCharsets.UTF_8))
        .isEqualTo(tokenizer == DemoTokenizer.R50K_BASE ? "<|endoftext|>" : "<|endofprompt|>");
    assertThatThrownBy(() -> tokenizer.decodeBytes(new int[] {last + 1}))
        .isInstanceOf(RuntimeException.class);
  }

  @ParameterizedTest
  @EnumSource(DemoTokenizer.class)
  void textRoundTripsAndSpecialTokensAreOrdinaryText(DemoTokenizer tokenizer) {
    String text = "Herr Präsident, 日本語 <|endoftext|> 😀";
    int[] ids = tokenizer.encode(text);
    assertThat(new String(tokenizer.decodeBytes(ids), StandardCharsets.UTF_8)).isEqualTo(text);
    assertThat(java.util.Arrays.stream(ids).max().getAsInt()).isLessThan(tokenizer.vocabSize() - 1);
  }

  @ParameterizedTest
  @EnumSource(DemoTokenizer.class)
  void theRewardTokenIsOneToken(DemoTokenizer tokenizer) {
    assertThat(tokenizer.encode(RlCheckpoint.REWARD_TEXT)).hasSize(1);
  }
}
