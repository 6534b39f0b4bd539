package dev.softmetrics.job.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.softmetrics.job.aggregate.CorpusAggregation;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.io.ShardScan;
import dev.softmetrics.job.output.OutputTables;
import dev.softmetrics.job.output.RunRecord;
import dev.softmetrics.job.output.RunRecord.InputFile;
import dev.softmetrics.job.score.LogprobBatchScorer.ColumnLabels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * One scoring run: reads the shards, scores every row, writes {@code sequences/}, {@code
 * rejected/}, {@code corpus/} and finally the {@code runs/} row, after checking that every row read
 * was scored or rejected.
 */
public final class ScoreJob {
  private ScoreJob() {}

  /**
   * Runs the job on a session the caller owns.
   *
   * @throws IllegalArgumentException for bad input that stops the whole run (missing path, wrong
   *     schema)
   * @throws IllegalStateException when the accounting does not hold; the tables are written, the
   *     run marked failed
   */
  public static RunResult run(SparkSession spark, ScoreRequest request) {
    Instant started = Instant.now();
    var config = request.config();
    ShardScan.REQUIRED_SQL_CONF.forEach(spark.conf()::set);
    spark.conf().set("spark.sql.parquet.columnarReaderBatchSize", config.batchRows());
    var names = config.columns();
    ShardScan scan = ShardScan.logprobs(spark, request.inputs(), names, config.format());
    ColumnLabels labels =
        new ColumnLabels(names.labels(), names.tokenLogprobs(), names.text(), names.numBytes());
    JavaRDD<Row> rows =
        scan.batches()
            .mapPartitions(
                new PartitionScorer(scan.columns(), labels, config.positiveLogprobTolerance()));
    Dataset<Row> scored =
        spark.createDataFrame(rows, ScoredRows.SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      String output = request.output();
      String runId = request.runId();
      spark.sparkContext().setJobDescription("score and write sequences/");
      OutputTables.writeSequences(scored, output, runId);
      spark.sparkContext().setJobDescription("write rejected/");
      OutputTables.writeRejected(scored, output, runId);
      spark.sparkContext().setJobDescription("aggregate corpus/");
      List<CorpusRow> corpus =
          CorpusAggregation.rows(
              CorpusAggregation.totals(scored.filter(col(ScoredRows.REASON).isNull())));
      OutputTables.writeCorpus(spark, corpus, output, runId);
      spark.sparkContext().setJobDescription("account for every row");
      List<InputFile> files = account(spark, request.inputs(), scored);
      long read = 0;
      long scoredCount = 0;
      long rejected = 0;
      boolean balanced = true;
      for (InputFile f : files) {
        read += f.rowsRead();
        scoredCount += f.scored();
        rejected += f.rejected();
        balanced &= f.balanced();
      }
      RunRecord run =
          new RunRecord(
              runId,
              started,
              Instant.now(),
              balanced ? "succeeded" : "failed: accounting",
              "logprobs",
              request.inputs(),
              files,
              config.rendered(),
              Versions.softmetrics(),
              spark.version(),
              System.getProperty("java.version"),
              spark.sparkContext().master(),
              read,
              scoredCount,
              rejected,
              balanced);
      OutputTables.appendRun(spark, run, output);
      if (!balanced) {
        throw new IllegalStateException(
            "Accounting failed for run "
                + runId
                + ": rows read != scored + rejected for "
                + files.stream().filter(f -> !f.balanced()).map(InputFile::path).toList());
      }
      return new RunResult(run, corpus);
    } finally {
      spark.sparkContext().setJobDescription(null);
      scored.unpersist();
    }
  }

  /**
   * Rows read per file, counted independently of the scoring pass (from the Parquet row groups),
   * next to what the pass scored and rejected from each file.
   */
  private static List<InputFile> account(
      SparkSession spark, List<String> inputs, Dataset<Row> scored) {
    Map<String, long[]> outcome = new HashMap<>();
    for (Row r :
        scored
            .groupBy(col(ScoredRows.SOURCE_FILE))
            .agg(
                count(when(col(ScoredRows.REASON).isNull(), lit(1))), count(col(ScoredRows.REASON)))
            .collectAsList()) {
      outcome.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2)});
    }
    Map<String, Long> read = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .parquet(inputs.toArray(new String[0]))
            .select(col("_metadata.file_path").as("file"))
            .groupBy("file")
            .count()
            .collectAsList()) {
      read.put(r.getString(0), r.getLong(1));
    }
    List<InputFile> files = new ArrayList<>();
    var hadoop = spark.sparkContext().hadoopConfiguration();
    for (Map.Entry<String, Long> e : read.entrySet()) {
      long[] o = outcome.getOrDefault(e.getKey(), new long[2]);
      FileStatus status = status(e.getKey(), hadoop);
      files.add(
          new InputFile(
              e.getKey(),
              status.getLen(),
              Instant.ofEpochMilli(status.getModificationTime()),
              e.getValue(),
              o[0],
              o[1]));
    }
    for (String unread : outcome.keySet()) {
      if (!read.containsKey(unread)) {
        long[] o = outcome.get(unread);
        files.add(new InputFile(unread, 0, null, 0, o[0], o[1]));
      }
    }
    return files;
  }

  private static FileStatus status(String file, org.apache.hadoop.conf.Configuration hadoop) {
    try {
      Path path = new Path(new URI(file));
      return FileSystem.get(path.toUri(), hadoop).getFileStatus(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stat input file " + file, e);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("Spark reported an input path that is not a URI: " + file, e);
    }
  }
}
