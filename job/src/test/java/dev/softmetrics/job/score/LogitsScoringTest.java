package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How many tasks assemble the sequences of a logits run. */
class LogitsScoringTest {

  @Test
  void oneAssemblyTaskPerChunksPerTaskRowsRoundedUp() {
    assertThat(LogitsScoring.assemblyTasks(1, 50_000, 8)).isEqualTo(1);
    assertThat(LogitsScoring.assemblyTasks(50_000, 50_000, 8)).isEqualTo(1);
    assertThat(LogitsScoring.assemblyTasks(50_001, 50_000, 8)).isEqualTo(2);
    assertThat(LogitsScoring.assemblyTasks(144, 7, 40)).isEqualTo(21);
  }

  @Test
  void atMostOneAssemblyTaskPerScanTaskAndAtLeastOne() {
    assertThat(LogitsScoring.assemblyTasks(10_000_000, 50_000, 12)).isEqualTo(12);
    assertThat(LogitsScoring.assemblyTasks(0, 50_000, 12)).isEqualTo(1);
    assertThat(LogitsScoring.assemblyTasks(144, 1, 0)).isEqualTo(1);
  }
}
