package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.corpora.DemoCorpusWriter;
import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code stage_seconds} keys README.md names in its {@code runs/} table are the keys a real run
 * writes, so that a query README suggests finds its stage.
 */
class StageSecondsDocTest extends LocalSparkTest {

  @Test
  void readmeNamesTheStageKeysARunWrites(@TempDir Path tmp) throws IOException {
    String input = tmp.resolve("in").toString();
    String output = tmp.resolve("out").toString();
    DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(1, 2, 8, 7), 20, 2, input);
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "stages", JobConfig.defaults()));

    Row run = spark.read().parquet(output + "/runs").first();
    scala.collection.Map<String, Double> written = run.getMap(run.fieldIndex("stage_seconds"));
    List<String> keys = new ArrayList<>(CollectionConverters.asJava(written).keySet());

    assertThat(keys).containsExactlyInAnyOrderElementsOf(documented());
  }

  /** The back-quoted names after "stages:" in README's {@code stage_seconds} row. */
  private static List<String> documented() throws IOException {
    String row =
        readme().lines().filter(l -> l.startsWith("| `stage_seconds` |")).findFirst().orElseThrow();
    String listed = row.substring(row.indexOf("stages:"));
    List<String> keys = new ArrayList<>();
    Matcher name = Pattern.compile("`(\\w+)`").matcher(listed);
    while (name.find()) {
      keys.add(name.group(1));
    }
    return keys;
  }

  private static String readme() throws IOException {
    Path here = Path.of("").toAbsolutePath();
    Path readme = here.resolve("README.md");
    return Files.readString(Files.exists(readme) ? readme : here.getParent().resolve("README.md"));
  }
}
