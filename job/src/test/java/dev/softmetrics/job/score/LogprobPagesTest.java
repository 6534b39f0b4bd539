package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log-prob column read from the pages by the scoring tasks ({@code read.logprob-pages = true},
 * the default) gives the same tables as Spark's reader ({@code false}), row for row, on files with
 * many row groups read in splits that start inside a file, batches of 7 rows, a folder whose name
 * Spark has to escape, and rows of every kind the kernels reject.
 */
class LogprobPagesTest extends LocalSparkTest {
  @TempDir Path tmp;

  private static final StructType SCHEMA =
      new StructType()
          .add("sequence_id", DataTypes.StringType)
          .add("model", DataTypes.StringType)
          .add("tokenizer", DataTypes.StringType)
          .add("domain", DataTypes.StringType)
          .add("token_logprobs", DataTypes.createArrayType(DataTypes.FloatType, true))
          .add("text", DataTypes.StringType);

  private static List<Row> rows(String file) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      List<Object> logprobs =
          switch (i % 50) {
            case 3 -> null;
            case 4 -> List.of();
            case 5 -> Arrays.asList(null, -1f, -2f);
            case 6 -> Arrays.asList(-1f, null, -2f);
            case 7 -> List.of(-1f, Float.NaN);
            case 8 -> List.of(-1f, 0.5f);
            case 9 -> List.of(-1f, Float.NEGATIVE_INFINITY);
            default -> {
              List<Object> values = new ArrayList<>();
              for (int k = 0; k < (i * 13) % 90 + 1; k++) {
                values.add(-((i + k * 7) % 101) / 9f - 1e-3f);
              }
              yield values;
            }
          };
      rows.add(
          RowFactory.create(
              file + "-" + i,
              "m" + (i % 2),
              "tok",
              "d" + (i % 3),
              logprobs,
              "text " + i + " naïve " + "x".repeat(i % 17)));
    }
    return rows;
  }

  @Test
  void pagesGiveTheTablesSparksReaderGives() {
    Path input = tmp.resolve("odd dir %41 #x");
    spark
        .createDataFrame(rows("a"), SCHEMA)
        .coalesce(1)
        .write()
        .options(Map.of("parquet.block.size", "16384"))
        .parquet(input.resolve("a").toString());
    spark
        .createDataFrame(rows("b"), SCHEMA)
        .coalesce(1)
        .write()
        .options(
            Map.of(
                "parquet.writer.version", "v2",
                "parquet.enable.dictionary", "false",
                "parquet.block.size", "32768"))
        .parquet(input.resolve("b").toString());

    run(input, "pages", "true");
    run(input, "spark", "false");

    for (String table : List.of("sequences", "rejected", "corpus", "positions")) {
      assertThat(rows("pages", table)).as(table).isEqualTo(rows("spark", table));
    }
    assertThat(rows("pages", "sequences")).hasSize(2 * (600 - 6 * 12));
    assertThat(String.join("\n", rows("pages", "rejected")))
        .contains("MISSING_LOGPROBS", "EMPTY_LOGPROBS", "NULL_LOGPROB", "POSITIVE_LOGPROB")
        .contains("NON_FINITE_LOGPROB", "token_logprobs[1] = NaN", "token_logprobs[1] = -Infinity");
  }

  @Test
  void damageInTheLogprobColumnFailsTheRunNamingTheFileOrSkipsIt() throws Exception {
    // Spark's scan no longer reads this column: the tasks' reader meets the damage.
    Path input = tmp.resolve("in");
    Shards.write(spark, input.resolve("good"), SCHEMA, rows("g"));
    Path bad = Shards.write(spark, input.resolve("bad"), SCHEMA, rows("b"));
    Shards.corruptColumnChunk(bad, "token_logprobs");

    assertThatThrownBy(() -> run(input, "out", "true"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Cannot read input file file:" + bad + ": its footer is readable but its data is not");
    RunResult skipping =
        ScoreJob.run(
            spark,
            new ScoreRequest(
                List.of(input.toString()),
                tmp.resolve("skipping").toString(),
                "pages",
                JobConfig.load(null, List.of("read.skip-corrupt-files=true"))));
    assertThat(skipping.run().skippedFiles())
        .singleElement()
        .satisfies(f -> assertThat(f.path()).isEqualTo("file:" + bad));
    assertThat(skipping.run().accountingOk()).isTrue();
    assertThat(rows("skipping", "sequences")).hasSize(600 - 6 * 12);
  }

  private void run(Path input, String output, String pages) {
    String previous = spark.conf().get("spark.sql.files.maxPartitionBytes");
    spark.conf().set("spark.sql.files.maxPartitionBytes", "12KB");
    try {
      ScoreJob.run(
          spark,
          new ScoreRequest(
              List.of(input.toString()),
              tmp.resolve(output).toString(),
              "pages",
              JobConfig.load(null, List.of("read.batch-rows=7", "read.logprob-pages=" + pages))));
    } finally {
      spark.conf().set("spark.sql.files.maxPartitionBytes", previous);
    }
  }

  private List<String> rows(String output, String table) {
    return Shards.tableRows(spark, tmp.resolve(output).resolve(table).toString());
  }
}
