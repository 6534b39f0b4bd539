package dev.softmetrics.job.analysis;

import dev.softmetrics.job.tables.Tables;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Rows in the {@code sequences/} schema, built by hand for the analysis tests. */
final class SequenceFixtures {
  private final List<Row> rows = new ArrayList<>();
  private final List<Sequence> sequences = new ArrayList<>();

  /** One scored sequence. */
  record Sequence(
      String model,
      String tokenizer,
      String domain,
      String id,
      double nll,
      long tokens,
      long bytes) {}

  SequenceFixtures add(Sequence s) {
    sequences.add(s);
    rows.add(
        RowFactory.create(
            "fixture",
            s.id(),
            s.model(),
            s.tokenizer(),
            s.domain(),
            s.tokens(),
            s.nll(),
            s.nll() / s.tokens(),
            Math.exp(s.nll() / s.tokens()),
            s.bytes(),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            "fixture.parquet"));
    return this;
  }

  /** The sequences added, in order. */
  List<Sequence> sequences() {
    return sequences;
  }

  List<Row> rows() {
    return rows;
  }

  Dataset<Row> frame(SparkSession spark, int partitions) {
    return spark.createDataFrame(rows, Tables.SEQUENCES.schema()).repartition(partitions);
  }
}
