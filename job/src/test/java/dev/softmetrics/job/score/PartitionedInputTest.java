package dev.softmetrics.job.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
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
 * Shards in Hive-style folders ({@code model=x/domain=y/part-*.parquet}) carry labels in their
 * paths: the job reads them as string columns, in the scoring pass and in the pass that re-reads
 * files with rejected rows.
 */
class PartitionedInputTest extends LocalSparkTest {

  @Test
  void labelsFromFolderNamesAreScoredRejectedAndPooledAsFromColumns(@TempDir Path tmp) {
    String flat = tmp.resolve("flat").toString();
    String partitioned = tmp.resolve("partitioned").toString();
    DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(3, 8, 120, 41), 800, 2, flat);
    // "2024" looks like a number: it must stay the string label it is.
    var relabelledRows =
        spark
            .read()
            .parquet(flat)
            .withColumn(
                "domain",
                when(col("domain").equalTo("web-en"), lit("2024")).otherwise(col("domain")));
    String relabelled = tmp.resolve("relabelled").toString();
    relabelledRows.write().parquet(relabelled);
    relabelledRows.write().partitionBy("model", "domain").parquet(partitioned);

    String fromFolders = tmp.resolve("out-folders").toString();
    String fromColumns = tmp.resolve("out-columns").toString();
    RunResult folders =
        ScoreJob.run(
            spark, new ScoreRequest(List.of(partitioned), fromFolders, "r", JobConfig.defaults()));
    ScoreJob.run(
        spark, new ScoreRequest(List.of(relabelled), fromColumns, "r", JobConfig.defaults()));

    assertThat(folders.run().accountingOk()).isTrue();
    assertThat(folders.run().rowsRejected()).isPositive();
    assertThat(corpus(fromFolders)).isEqualTo(corpus(fromColumns));
    assertThat(corpus(fromFolders)).anyMatch(r -> r.getString(2).equals("2024"));
    List<Row> rejected =
        spark.read().parquet(fromFolders + "/rejected").select("model", "domain").collectAsList();
    assertThat(rejected)
        .hasSize((int) folders.run().rowsRejected())
        .allMatch(r -> r.getString(0).startsWith("toy-") && !r.isNullAt(1));
  }

  private static List<Row> corpus(String output) {
    return spark
        .read()
        .parquet(output + "/corpus")
        .drop("run_id")
        .select(
            "model",
            "tokenizer",
            "domain",
            "sequences",
            "tokens",
            "bytes",
            "nll_sum",
            "bits_per_byte")
        .sort("model", "tokenizer", "domain")
        .collectAsList();
  }
}
