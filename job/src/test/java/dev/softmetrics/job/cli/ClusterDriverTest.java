package dev.softmetrics.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterDriverTest {
  private static final Optional<Path> JAR = Optional.of(Path.of("/opt/softmetrics-job.jar"));

  @Test
  void embeddedMastersNeedNothing() {
    for (String master : new String[] {null, "local", "local[2]", "local[*]"}) {
      assertThat(ClusterDriver.settings(master, Map.of(), Optional.empty())).as(master).isEmpty();
    }
  }

  @Test
  void aLoopbackStandaloneMasterGetsTheJarAndALoopbackDriver() {
    assertThat(ClusterDriver.settings("spark://127.0.0.1:7077", Map.of(), JAR))
        .containsExactly(
            Map.entry("spark.jars", "/opt/softmetrics-job.jar"),
            Map.entry("spark.driver.host", "127.0.0.1"));
    assertThat(ClusterDriver.settings("spark://localhost:7077,127.0.0.2:7078", Map.of(), JAR))
        .containsEntry("spark.driver.host", "127.0.0.1");
  }

  @Test
  void otherMastersGetTheJarAndKeepTheDriversOwnAddress() {
    for (String master :
        new String[] {
          "spark://m1:7077,127.0.0.1:7077",
          "yarn",
          "k8s://https://10.0.0.1:6443",
          "local-cluster[2,1,1024]"
        }) {
      assertThat(ClusterDriver.settings(master, Map.of(), JAR))
          .as(master)
          .containsExactly(Map.entry("spark.jars", "/opt/softmetrics-job.jar"));
    }
  }

  @Test
  void settingsTheConfigurationHoldsAreKept() {
    Map<String, String> given =
        Map.of("spark.jars", "hdfs:///jobs/softmetrics-job.jar", "spark.driver.host", "10.0.0.5");

    assertThat(ClusterDriver.settings("spark://localhost:7077", given, Optional.empty())).isEmpty();
  }

  @Test
  void withoutAJobJarAClusterMasterIsRefusedWithTheFix() {
    assertThatThrownBy(
            () -> ClusterDriver.settings("spark://127.0.0.1:7077", Map.of(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot run on master spark://127.0.0.1:7077: ")
        .hasMessageContaining("set spark.jars");
  }
}
