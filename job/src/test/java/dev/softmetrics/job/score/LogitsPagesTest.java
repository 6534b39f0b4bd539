package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.Shards;
import dev.softmetrics.job.config.JobConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary logits columns read from the pages by the scoring tasks ({@code read.logits-pages =
 * true}, the default) give the same tables as Spark's reader ({@code false}), row for row: chunks
 * of bfloat16, float16 and float32 logits with and without reference logits, rows of the rejection
 * kinds the blobs decide, files with many row groups (one of them without the {@code ref_logits}
 * column) read in splits that start inside a file, batches of 3 rows, a folder whose name Spark
 * escapes; and damage in the column fails the run naming the file, or is skipped.
 */
class LogitsPagesTest extends LocalSparkTest {
  @TempDir Path tmp;

  private static final int VOCAB = 40;

  private static StructType schema(boolean withReference) {
    StructType labels =
        new StructType()
            .add("sequence_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("tokenizer", DataTypes.StringType)
            .add("domain", DataTypes.StringType)
            .add("first_position", DataTypes.IntegerType)
            .add("target_ids", DataTypes.createArrayType(DataTypes.IntegerType, true))
            .add("vocab_size", DataTypes.IntegerType)
            .add("logits_dtype", DataTypes.StringType)
            .add("logits", DataTypes.BinaryType);
    return (withReference ? labels.add("ref_logits", DataTypes.BinaryType) : labels)
        .add("text", DataTypes.StringType);
  }

  /**
   * 120 sequences of 3 chunks of 4 positions; the logits are small integers and halves (exact in
   * every dtype); four chunks in 37 are broken, each in its own way.
   */
  private static List<Row> rows(String file, boolean withReference) {
    List<Row> rows = new ArrayList<>();
    String[] dtypes = {"bfloat16", "float16", "float32"};
    for (int s = 0; s < 120; s++) {
      String dtype = dtypes[s % 3];
      for (int c = 0; c < 3; c++) {
        int n = s * 3 + c;
        Integer[] targets = new Integer[4];
        float[] logits = new float[4 * VOCAB];
        float[] ref = new float[4 * VOCAB];
        for (int p = 0; p < 4; p++) {
          targets[p] = (n * 7 + p * 3) % VOCAB;
          for (int v = 0; v < VOCAB; v++) {
            logits[p * VOCAB + v] = ((n + p * 5 + v * 3) % 11) / 2f - 2;
            ref[p * VOCAB + v] = ((n * 3 + p + v * 7) % 9) / 2f - 1;
          }
        }
        byte[] blob = encode(logits, dtype);
        String rowDtype = dtype;
        switch (n % 37) {
          case 3 -> blob = null; // MISSING_LOGITS
          case 5 -> blob = java.util.Arrays.copyOf(blob, blob.length - 2); // INVALID_LOGITS_SHAPE
          case 7 -> rowDtype = "int8"; // INVALID_LOGITS_DTYPE
          case 11 -> {
            logits[VOCAB + 2] = Float.NaN; // INVALID_LOGIT at position 1
            blob = encode(logits, "float32");
            rowDtype = "float32";
          }
          default -> {}
        }
        byte[] refBlob =
            n % 5 == 0 ? null : encode(ref, rowDtype.equals("int8") ? dtype : rowDtype);
        List<Object> values = new ArrayList<>();
        values.addAll(List.of(file + "-" + s, "m" + (s % 2), "tok", "d" + (s % 3), c * 4));
        values.add(java.util.Arrays.asList(targets));
        values.add(VOCAB);
        values.add(rowDtype);
        values.add(blob);
        if (withReference) {
          values.add(refBlob);
        }
        values.add("text " + s + " naïve");
        rows.add(RowFactory.create(values.toArray()));
      }
    }
    return rows;
  }

  /** Little-endian elements of {@code dtype}; the values are exact in each. */
  private static byte[] encode(float[] values, String dtype) {
    int width = dtype.equals("float32") ? 4 : 2;
    ByteBuffer out = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      switch (dtype) {
        case "float32" -> out.putFloat(v);
        case "bfloat16" -> out.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
        default -> out.putShort(float16(v));
      }
    }
    return out.array();
  }

  /** float16 of a small integer or half: sign, exponent rebiased from 127 to 15, 10 bits. */
  private static short float16(float v) {
    if (v == 0) {
      return 0;
    }
    int bits = Float.floatToRawIntBits(v);
    int exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
    return (short) (((bits >>> 16) & 0x8000) | (exponent << 10) | ((bits >>> 13) & 0x3FF));
  }

  @Test
  void pagesGiveTheTablesSparksReaderGives() {
    Path input = tmp.resolve("odd dir %41 #x");
    spark
        .createDataFrame(rows("a", true), schema(true))
        .coalesce(1)
        .write()
        .options(Map.of("parquet.block.size", "16384"))
        .parquet(input.resolve("a").toString());
    spark
        .createDataFrame(rows("b", true), schema(true))
        .coalesce(1)
        .write()
        .options(
            Map.of(
                "parquet.writer.version", "v2",
                "parquet.enable.dictionary", "false",
                "parquet.block.size", "32768"))
        .parquet(input.resolve("b").toString());
    spark
        .createDataFrame(rows("c", false), schema(false))
        .coalesce(1)
        .write()
        .options(Map.of("parquet.block.size", "16384"))
        .parquet(input.resolve("c").toString());

    run(input, "pages", "true");
    run(input, "spark", "false");

    for (String table : List.of("sequences", "rejected", "corpus", "positions", "comparisons")) {
      assertThat(rows("pages", table)).as(table).isEqualTo(rows("spark", table));
    }
    assertThat(rows("pages", "sequences")).isNotEmpty();
    assertThat(String.join("\n", rows("pages", "rejected")))
        .contains(
            "MISSING_LOGITS", "INVALID_LOGITS_SHAPE", "INVALID_LOGITS_DTYPE", "INVALID_LOGIT");
  }

  @Test
  void damageInTheLogitsColumnFailsTheRunNamingTheFileOrSkipsIt() throws Exception {
    // Spark's scan no longer reads this column: the tasks' reader meets the damage.
    Path input = tmp.resolve("in");
    Shards.write(spark, input.resolve("good"), schema(true), rows("g", true));
    Path bad = Shards.write(spark, input.resolve("bad"), schema(true), rows("b", true));
    Shards.corruptColumnChunk(bad, "logits");

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
                JobConfig.load(
                    null,
                    List.of(
                        "read.skip-corrupt-files=true", "validation.max-rejected-fraction=1"))));
    assertThat(skipping.run().skippedFiles())
        .singleElement()
        .satisfies(f -> assertThat(f.path()).isEqualTo("file:" + bad));
    assertThat(skipping.run().accountingOk()).isTrue();
    assertThat(String.join("\n", rows("skipping", "sequences")))
        .contains("g-1")
        .doesNotContain("b-1");
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
              JobConfig.load(
                  null,
                  List.of(
                      "read.logits-batch-rows=3",
                      "read.logits-pages=" + pages,
                      "validation.max-rejected-fraction=1"))));
    } finally {
      spark.conf().set("spark.sql.files.maxPartitionBytes", previous);
    }
  }

  private List<String> rows(String output, String table) {
    return Shards.tableRows(spark, tmp.resolve(output).resolve(table).toString());
  }
}
