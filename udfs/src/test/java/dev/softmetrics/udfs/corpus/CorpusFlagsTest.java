package dev.softmetrics.udfs.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CorpusFlagsTest {
  private final CorpusFlags flags = new CorpusFlags(0.1, 0.9, 5, 10);

  @Test
  void aHealthyModelHasNoFlag() {
    // Entropy 2.5 nats, PPL e^2.8 ~ 16 over 32k tokens, KL 0.3.
    assertThat(flags.of(2.5, null, null, 2.8, 32_000, 0.3)).isEmpty();
  }

  @Test
  void entropyNearZeroIsCollapse() {
    assertThat(flags.of(0.05, null, null, 0.01, 32_000, null)).containsExactly("ENTROPY_COLLAPSE");
    // Only top-k bounds: collapse is certain when the upper bound is below the threshold.
    assertThat(flags.of(null, 0.01, 0.09, 0.5, 32_000, null)).containsExactly("ENTROPY_COLLAPSE");
    assertThat(flags.of(null, 0.01, 0.2, 0.5, 32_000, null)).isEmpty();
  }

  @Test
  void entropyOrLossNearLnVIsUniformLike() {
    double lnV = Math.log(32_000); // 10.37
    assertThat(flags.of(0.95 * lnV, null, null, 3, 32_000, null)).containsExactly("UNIFORM_LIKE");
    assertThat(flags.of(null, null, null, 0.91 * lnV, 32_000, null))
        .containsExactly("UNIFORM_LIKE");
    assertThat(flags.of(0.85 * lnV, null, null, 0.85 * lnV, 32_000, null)).isEmpty();
    // Without V the band cannot be judged.
    assertThat(flags.of(10.0, null, null, 10.0, 0, null)).isEmpty();
  }

  @Test
  void klBands() {
    assertThat(flags.of(2.0, null, null, 2, 0, 5.0)).isEmpty();
    assertThat(flags.of(2.0, null, null, 2, 0, 5.5)).containsExactly("KL_WARNING");
    assertThat(flags.of(2.0, null, null, 2, 0, 12.0)).containsExactly("KL_ALARM");
    assertThat(flags.of(2.0, null, null, 2, 0, Double.POSITIVE_INFINITY))
        .containsExactly("KL_ALARM");
  }

  @Test
  void thresholdsAreChecked() {
    assertThatThrownBy(() -> new CorpusFlags(0.1, 1.5, 5, 10))
        .hasMessage("Invalid flags.uniform-fraction-of-ln-v: 1.5 (must be in (0, 1])");
    assertThatThrownBy(() -> new CorpusFlags(0.1, 0.9, 10, 5))
        .hasMessageStartingWith("Invalid flags.kl-warning-above 10.0 / kl-alarm-above 5.0");
  }
}
