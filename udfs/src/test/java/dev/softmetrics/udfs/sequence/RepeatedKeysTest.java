package dev.softmetrics.udfs.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RepeatedKeysTest {

  @Test
  void valuesThatOccurTwiceOrMoreComeBackOnceEachAscending() {
    long[] hashes = {7, -3, 7, 5, Long.MIN_VALUE, 7, -3, Long.MIN_VALUE, 0, 42};
    assertThat(RepeatedKeys.repeated(hashes, hashes.length)).containsExactly(Long.MIN_VALUE, -3, 7);
  }

  @Test
  void distinctValuesHaveNoRepeats() {
    assertThat(RepeatedKeys.repeated(new long[] {3, 1, 2}, 3)).isEmpty();
    assertThat(RepeatedKeys.repeated(new long[0], 0)).isEmpty();
    assertThat(RepeatedKeys.repeated(new long[] {9}, 1)).isEmpty();
  }

  @Test
  void onlyTheFirstLengthValuesCount() {
    // The tail beyond length is spare capacity, as in a growable array.
    assertThat(RepeatedKeys.repeated(new long[] {1, 2, 1, 2}, 3)).containsExactly(1);
  }

  @Test
  void randomValuesAgreeWithCountingInAMap() {
    Random random = new Random(11);
    long[] hashes = new long[5000];
    Map<Long, Integer> counts = new HashMap<>();
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = random.nextInt(4000);
      counts.merge(hashes[i], 1, Integer::sum);
    }
    long[] expected =
        counts.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .mapToLong(Map.Entry::getKey)
            .sorted()
            .toArray();
    long[] repeated = RepeatedKeys.repeated(hashes, hashes.length);
    assertThat(repeated).containsExactly(expected);
    assertThat(RepeatedKeys.contains(repeated, expected[0])).isTrue();
    long absent =
        counts.entrySet().stream().filter(e -> e.getValue() == 1).findFirst().get().getKey();
    assertThat(RepeatedKeys.contains(repeated, absent)).isFalse();
  }

  @Test
  void lengthOutsideTheArrayIsRefused() {
    assertThatThrownBy(() -> RepeatedKeys.repeated(new long[2], 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid length: 3 (must be in [0, 2], the array's size)");
  }
}
