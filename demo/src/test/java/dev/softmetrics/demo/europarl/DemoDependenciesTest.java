package dev.softmetrics.demo.europarl;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

class DemoDependenciesTest {
  @Test
  void theBuildPutsTheDemosDependenciesOnTheClassPath() {
    assertThatCode(DemoDependencies::require).doesNotThrowAnyException();
  }
}
