package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.corpora.DemoCorpusWriter;
import dev.softmetrics.corpora.DemoLogitsWriter;
import dev.softmetrics.job.LocalSpark;
import dev.softmetrics.job.config.JobConfig;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reruns give the same numbers: the same rows as 1 file scored on {@code local[1]} and as 17 files
 * scored on {@code local[2]} (other splits, other batch sizes, other task order, one task or many
 * assembling the logits chunks) give the same sequences/ and corpus/ values to the last bit, in
 * both input layouts.
 */
class RerunDeterminismTest {

  @Test
  void oneFileOnOneCoreEqualsSeventeenFilesOnTwo(@TempDir Path tmp) {
    String logprobs1 = tmp.resolve("lp-1").toString();
    String logprobs17 = tmp.resolve("lp-17").toString();
    String logits1 = tmp.resolve("lg-1").toString();
    String logits17 = tmp.resolve("lg-17").toString();
    SparkSession one = LocalSpark.start("local[1]");
    List<String> lpA;
    List<String> lgA;
    try {
      DemoCorpusWriter.Shape shape = new DemoCorpusWriter.Shape(5, 8, 120, 0);
      DemoCorpusWriter.write(one, shape, 1_000, 1, logprobs1);
      DemoCorpusWriter.write(one, shape, 1_000, 17, logprobs17);
      DemoLogitsWriter.writeLogits(one, DemoLogitsWriter.Shape.DEMO, 34, 1, logits1);
      DemoLogitsWriter.writeLogits(one, DemoLogitsWriter.Shape.DEMO, 34, 17, logits17);
      lpA = tables(one, logprobs1, tmp.resolve("lp-out-a").toString(), "4096");
      lgA = tables(one, logits1, tmp.resolve("lg-out-a").toString(), "4096");
    } finally {
      one.stop();
    }
    SparkSession two = LocalSpark.start("local[2]");
    try {
      List<String> lpB = tables(two, logprobs17, tmp.resolve("lp-out-b").toString(), "5");
      List<String> lgB = tables(two, logits17, tmp.resolve("lg-out-b").toString(), "3");
      assertThat(lpA).hasSizeGreaterThan(1_000);
      assertThat(lpB).isEqualTo(lpA);
      assertThat(lgA).hasSizeGreaterThan(34);
      assertThat(lgB).isEqualTo(lgA);
    } finally {
      two.stop();
    }
  }

  /** Scores {@code input}; returns sequences/ and corpus/ rows as sorted strings. */
  private static List<String> tables(
      SparkSession spark, String input, String output, String batchRows) {
    // Small batches also make small assembly stages: many tasks assemble the logits chunks.
    JobConfig config =
        JobConfig.load(
            null,
            List.of(
                "read.batch-rows=" + batchRows,
                "read.logits-batch-rows=" + batchRows,
                "read.logits-chunks-per-task=" + batchRows));
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "rerun", config));
    Dataset<Row> sequences =
        spark.read().parquet(output + "/sequences").drop("run_id", "source_file", "file_key");
    Dataset<Row> corpus = spark.read().parquet(output + "/corpus").drop("run_id");
    return java.util.stream.Stream.concat(
            sequences.collectAsList().stream().map(r -> "S" + r),
            corpus.collectAsList().stream().map(r -> "C" + r))
        .sorted()
        .toList();
  }
}
