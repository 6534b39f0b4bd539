package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.corpora.DemoCorpusWriter;
import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.config.JobConfig;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus figures do not depend on how the input is split: the same rows in 1 file or 7, read in
 * whole files or in splits of a few kilobytes with batches of 7 rows, give the same corpus/ and
 * positions/ to the last bit.
 */
class DeterminismTest extends LocalSparkTest {

  @Test
  void corpusIsBitIdenticalHoweverTheInputIsSplit(@TempDir Path tmp) {
    DemoCorpusWriter.Shape shape = new DemoCorpusWriter.Shape(11, 8, 200, 0);
    String oneFile = tmp.resolve("one").toString();
    String sevenFiles = tmp.resolve("seven").toString();
    DemoCorpusWriter.write(spark, shape, 1200, 1, oneFile);
    DemoCorpusWriter.write(spark, shape, 1200, 7, sevenFiles);

    List<Row> whole = corpus(oneFile, tmp.resolve("a").toString(), 4096, "128MB");
    List<Row> split = corpus(sevenFiles, tmp.resolve("b").toString(), 7, "16KB");

    assertThat(whole).hasSize(16);
    assertThat(split).isEqualTo(whole);
    List<Row> wholePositions = positions(tmp.resolve("a").toString());
    assertThat(wholePositions).hasSizeGreaterThan(16);
    assertThat(positions(tmp.resolve("b").toString())).isEqualTo(wholePositions);
  }

  private static List<Row> positions(String output) {
    return spark
        .read()
        .parquet(output + "/positions")
        .drop("run_id")
        .sort("model", "tokenizer", "domain", "position_bucket")
        .collectAsList();
  }

  private static List<Row> corpus(String input, String output, int batchRows, String splitSize) {
    JobConfig config = JobConfig.load(null, List.of("read.batch-rows=" + batchRows));
    String previous = spark.conf().get("spark.sql.files.maxPartitionBytes");
    spark.conf().set("spark.sql.files.maxPartitionBytes", splitSize);
    try {
      ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "determinism", config));
    } finally {
      spark.conf().set("spark.sql.files.maxPartitionBytes", previous);
    }
    return spark
        .read()
        .parquet(output + "/corpus")
        .sort("model", "tokenizer", "domain")
        .collectAsList();
  }
}
