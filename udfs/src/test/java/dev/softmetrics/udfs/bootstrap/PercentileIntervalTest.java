package dev.softmetrics.udfs.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PercentileIntervalTest {

  @Test
  void quantilesInterpolateBetweenOrderStatistics() {
    double[] sorted = {1, 2, 3, 4, 5};
    // h = 4 p: p = 0.025 -> 0.1, between 1 and 2; p = 0.975 -> 3.9, between 4 and 5.
    assertThat(PercentileInterval.quantile(sorted, 0.025)).isCloseTo(1.1, within(1e-15));
    assertThat(PercentileInterval.quantile(sorted, 0.975)).isCloseTo(4.9, within(1e-15));
    assertThat(PercentileInterval.quantile(sorted, 0.5)).isEqualTo(3.0);
    assertThat(PercentileInterval.quantile(sorted, 0)).isEqualTo(1.0);
    assertThat(PercentileInterval.quantile(sorted, 1)).isEqualTo(5.0);
    assertThat(PercentileInterval.quantile(new double[] {10, 20}, 0.5)).isEqualTo(15.0);
    assertThat(PercentileInterval.quantile(new double[] {7}, 0.3)).isEqualTo(7.0);
  }

  @Test
  void intervalMatchesNumpyPercentile() {
    // numpy.percentile([3, 1, 4, 1, 5, 9, 2, 6], [2.5, 97.5]) = [1.0, 8.475]: sorted 1 1 2 3 4 5 6
    // 9,
    // h = 7 * 0.025 = 0.175 (between 1 and 1), h = 7 * 0.975 = 6.825 -> 6 + 0.825 * 3.
    PercentileInterval ci = PercentileInterval.of(new double[] {3, 1, 4, 1, 5, 9, 2, 6}, 0.95);
    assertThat(ci.low()).isEqualTo(1.0);
    assertThat(ci.high()).isCloseTo(8.475, within(1e-12));
    assertThat(ci.replicates()).isEqualTo(8);
  }

  @Test
  void nanReplicatesAreLeftOutAndTheInputIsNotChanged() {
    double[] values = {5, Double.NaN, 1, 3, Double.NaN};
    PercentileInterval ci = PercentileInterval.of(values, 0.5);
    // Of 1, 3, 5: the 0.25 and 0.75 quantiles, h = 0.5 and 1.5.
    assertThat(ci.low()).isEqualTo(2.0);
    assertThat(ci.high()).isEqualTo(4.0);
    assertThat(ci.replicates()).isEqualTo(3);
    assertThat(values).containsExactly(5, Double.NaN, 1, 3, Double.NaN);
    assertThat(PercentileInterval.of(new double[] {Double.NaN}, 0.95)).isNull();
  }

  @Test
  void zeroIsExcludedOnlyWhenBothEndsAreOnOneSide() {
    assertThat(new PercentileInterval(0.1, 0.2, 10).excludesZero()).isTrue();
    assertThat(new PercentileInterval(-0.2, -0.1, 10).excludesZero()).isTrue();
    assertThat(new PercentileInterval(-0.1, 0.2, 10).excludesZero()).isFalse();
    assertThat(new PercentileInterval(0, 0, 10).excludesZero()).isFalse();
  }

  @Test
  void differencePairsReplicates() {
    assertThat(PercentileInterval.difference(new double[] {3, 5}, new double[] {1, 1}))
        .containsExactly(2, 4);
    assertThatThrownBy(() -> PercentileInterval.difference(new double[2], new double[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot pair replicates: 2 against 3 (must be as many)");
  }

  @Test
  void badArgumentsAreRejected() {
    assertThatThrownBy(() -> PercentileInterval.of(new double[] {1}, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid confidence: 1.0 (must be > 0 and < 1)");
    assertThatThrownBy(() -> PercentileInterval.quantile(new double[0], 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid quantile");
  }
}
