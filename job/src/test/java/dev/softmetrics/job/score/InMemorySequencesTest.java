package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.corpora.DemoCorpusWriter;
import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.config.BootstrapConfig;
import dev.softmetrics.job.config.JobConfig;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bootstrap.in-memory-sequences} bounds what the driver holds for the intervals and
 * comparisons; past it (or at 0) the run reads {@code sequences/} back, and {@code corpus/} and
 * {@code comparisons/} are the same to the last bit.
 */
class InMemorySequencesTest extends LocalSparkTest {

  @Test
  void aLowLimitOrNoneGivesTheSameIntervalsAndComparisons(@TempDir Path tmp) {
    String input = tmp.resolve("in").toString();
    DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(11, 8, 200, 0), 600, 3, input);

    List<List<Row>> auto = tables(input, tmp.resolve("auto").toString(), "auto");
    assertThat(auto.get(0)).hasSizeGreaterThan(4);
    assertThat(auto.get(1)).as("comparisons").isNotEmpty();
    assertThat(tables(input, tmp.resolve("low").toString(), "40")).isEqualTo(auto);
    assertThat(tables(input, tmp.resolve("none").toString(), "0")).isEqualTo(auto);
  }

  @Test
  void theSettingIsAutoOrAWholeNumber() {
    assertThat(JobConfig.load(null, List.of()).bootstrap().inMemorySequences())
        .isEqualTo(BootstrapConfig.AUTO);
    assertThat(
            JobConfig.load(null, List.of("bootstrap.in-memory-sequences=250000"))
                .bootstrap()
                .inMemorySequences())
        .isEqualTo(250_000);
    assertThat(new BootstrapConfig(1000, 1, 0.95).inMemoryLimit(1L << 30))
        .as("an eighth of a 1 GiB heap at 32 bytes each")
        .isEqualTo(4_194_304);
    assertThatThrownBy(() -> JobConfig.load(null, List.of("bootstrap.in-memory-sequences=-5")))
        .hasMessageContaining(
            "Invalid bootstrap.in-memory-sequences: -5 (must be auto or a whole number >= 0)");
    assertThatThrownBy(() -> JobConfig.load(null, List.of("bootstrap.in-memory-sequences=lots")))
        .hasMessageContaining("Invalid bootstrap.in-memory-sequences: lots");
  }

  /** corpus/ and comparisons/ without their run ids, sorted. */
  private static List<List<Row>> tables(String input, String output, String limit) {
    JobConfig config = JobConfig.load(null, List.of("bootstrap.in-memory-sequences=" + limit));
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "limit-" + limit, config));
    List<Row> corpus =
        spark
            .read()
            .parquet(output + "/corpus")
            .drop("run_id")
            .sort("model", "tokenizer", "domain")
            .collectAsList();
    var comparisons = spark.read().parquet(output + "/comparisons").drop("run_id");
    List<Row> sortedComparisons =
        comparisons.sort(comparisons.columns()[0], comparisons.columns()).collectAsList();
    return List.of(corpus, sortedComparisons);
  }
}
