package dev.softmetrics.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import dev.softmetrics.job.io.NioLocalFileSystem;
import dev.softmetrics.job.io.ShardScan;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A fresh JVM's plain Spark pass over shards, as a floor for any Spark program reading them: a
 * local session (the job's embedded settings and reader settings), then per (model, tokenizer,
 * domain) the rows, the log-probs ({@code size}, so the lists are read and assembled) and the
 * text's UTF-8 bytes; the floats are not summed (Spark SQL would need a higher-order function).
 * Timed by {@link ShardsVsDuckDb} {@code --spark-scan} beside the job and DuckDB.
 *
 * <p>Arguments: the input (a folder, or comma-separated files) and the number of cores.
 */
final class SparkScanProcess {
  private SparkScanProcess() {}

  public static void main(String[] args) {
    SparkSession.Builder builder =
        SparkSession.builder().master("local[" + args[1] + "]").appName("spark-scan");
    NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    ShardScan.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
    try {
      List<Row> groups =
          spark
              .read()
              .parquet(args[0].split(","))
              .groupBy("model", "tokenizer", "domain")
              .agg(
                  count(col("sequence_id")),
                  sum(size(col("token_logprobs"))),
                  sum(octet_length(col("text"))))
              .collectAsList();
      System.out.println(groups.size() + " groups");
    } finally {
      spark.stop();
    }
  }
}
