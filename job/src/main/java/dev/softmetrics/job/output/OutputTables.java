package dev.softmetrics.job.output;

import dev.softmetrics.job.Versions;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.aggregate.SoftColumn;
import dev.softmetrics.job.analysis.CorpusInterval;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes the output tables under the output folder: {@code sequences/}, {@code rejected/} and
 * {@code corpus/} are replaced by each run; {@code runs/} gains one row per run, written last, so a
 * run's row in {@code runs/} means its tables are complete.
 */
public final class OutputTables {
  private OutputTables() {}

  public static final String SEQUENCES = "sequences";
  public static final String CORPUS = "corpus";
  public static final String REJECTED = "rejected";
  public static final String RUNS = "runs";

  /** The folders of the tables a run writes (and replaces). */
  public static final List<String> FOLDERS = List.of(SEQUENCES, REJECTED, CORPUS, RUNS);

  /** Schema of {@code sequences/}: one row per scored sequence. */
  public static final StructType SEQUENCES_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("sequence_id", DataTypes.StringType, false)
          .add("model", DataTypes.StringType, false)
          .add("tokenizer", DataTypes.StringType, false)
          .add("domain", DataTypes.StringType, false)
          .add("tokens", DataTypes.LongType, false)
          .add("nll_sum", DataTypes.DoubleType, false)
          .add("mean_nll", DataTypes.DoubleType, false)
          .add("ppl", DataTypes.DoubleType, false)
          .add("bytes", DataTypes.LongType, false)
          .add("chars", DataTypes.LongType, true)
          .add("words", DataTypes.LongType, true)
          .add("mean_entropy", DataTypes.DoubleType, true)
          .add("kl_forward", DataTypes.DoubleType, true)
          .add("kl_reverse", DataTypes.DoubleType, true)
          .add("cross_entropy_ref", DataTypes.DoubleType, true)
          .add("kl_k1", DataTypes.DoubleType, true)
          .add("kl_k2", DataTypes.DoubleType, true)
          .add("kl_k3", DataTypes.DoubleType, true)
          .add("entropy_lower", DataTypes.DoubleType, true)
          .add("entropy_upper", DataTypes.DoubleType, true)
          .add("vocab_size", DataTypes.LongType, true)
          .add("source_file", DataTypes.StringType, false);

  /** Schema of {@code rejected/}: one row per input row that was not scored. */
  public static final StructType REJECTED_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("sequence_id", DataTypes.StringType, true)
          .add("model", DataTypes.StringType, true)
          .add("tokenizer", DataTypes.StringType, true)
          .add("domain", DataTypes.StringType, true)
          .add("source_file", DataTypes.StringType, false)
          .add("source_row", DataTypes.LongType, false)
          .add("reason", DataTypes.StringType, false)
          .add("message", DataTypes.StringType, false);

  /** Schema of {@code corpus/}. */
  public static final StructType CORPUS_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("model", DataTypes.StringType, false)
          .add("tokenizer", DataTypes.StringType, false)
          .add("domain", DataTypes.StringType, false)
          .add("sequences", DataTypes.LongType, false)
          .add("tokens", DataTypes.LongType, false)
          .add("bytes", DataTypes.LongType, false)
          .add("chars", DataTypes.LongType, true)
          .add("words", DataTypes.LongType, true)
          .add("nll_sum", DataTypes.DoubleType, false)
          .add("mean_nll", DataTypes.DoubleType, false)
          .add("ppl_token", DataTypes.DoubleType, false)
          .add("bits_per_token", DataTypes.DoubleType, false)
          .add("bits_per_byte", DataTypes.DoubleType, false)
          .add("bits_per_char", DataTypes.DoubleType, true)
          .add("ppl_byte", DataTypes.DoubleType, false)
          .add("ppl_word", DataTypes.DoubleType, true)
          .add("domains", DataTypes.IntegerType, true)
          .add("macro_mean_nll", DataTypes.DoubleType, true)
          .add("macro_bits_per_byte", DataTypes.DoubleType, true)
          .add("mean_entropy", DataTypes.DoubleType, true)
          .add("kl_forward", DataTypes.DoubleType, true)
          .add("kl_reverse", DataTypes.DoubleType, true)
          .add("cross_entropy_ref", DataTypes.DoubleType, true)
          .add("kl_k1", DataTypes.DoubleType, true)
          .add("kl_k2", DataTypes.DoubleType, true)
          .add("kl_k3", DataTypes.DoubleType, true)
          .add("entropy_lower", DataTypes.DoubleType, true)
          .add("entropy_upper", DataTypes.DoubleType, true)
          .add("flags", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("ppl_token_ci_low", DataTypes.DoubleType, true)
          .add("ppl_token_ci_high", DataTypes.DoubleType, true)
          .add("bits_per_byte_ci_low", DataTypes.DoubleType, true)
          .add("bits_per_byte_ci_high", DataTypes.DoubleType, true)
          .add("bootstrap_replicates", DataTypes.IntegerType, true)
          .add("ci_confidence", DataTypes.DoubleType, true);

  private static final StructType INPUT_FILE =
      new StructType()
          .add("path", DataTypes.StringType, false)
          .add("bytes", DataTypes.LongType, false)
          .add("modified_at", DataTypes.TimestampType, true)
          .add("rows_read", DataTypes.LongType, false)
          .add("rows_scored", DataTypes.LongType, false)
          .add("rows_rejected", DataTypes.LongType, false);

  private static final StructType SKIPPED_FILE =
      new StructType()
          .add("path", DataTypes.StringType, false)
          .add("bytes", DataTypes.LongType, false)
          .add("rows", DataTypes.LongType, true)
          .add("reason", DataTypes.StringType, false);

  /** Schema of {@code runs/}. */
  public static final StructType RUNS_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, false)
          .add("ended_at", DataTypes.TimestampType, false)
          .add("status", DataTypes.StringType, false)
          .add("format", DataTypes.StringType, false)
          .add("inputs", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("input_files", DataTypes.createArrayType(INPUT_FILE, false), false)
          .add("configuration", DataTypes.StringType, false)
          .add("softmetrics_version", DataTypes.StringType, false)
          .add("spark_version", DataTypes.StringType, false)
          .add("java_version", DataTypes.StringType, false)
          .add("master", DataTypes.StringType, false)
          .add("rows_read", DataTypes.LongType, false)
          .add("rows_scored", DataTypes.LongType, false)
          .add("sequences_scored", DataTypes.LongType, false)
          .add("rows_rejected", DataTypes.LongType, false)
          .add("accounting_ok", DataTypes.BooleanType, false)
          .add("schema_version", DataTypes.IntegerType, false)
          .add("git_commit", DataTypes.StringType, true)
          .add("incremental", DataTypes.BooleanType, false)
          .add("unchanged_files", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add(
              "stage_seconds",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false),
              false)
          .add("skipped_files", DataTypes.createArrayType(SKIPPED_FILE, false), false);

  /**
   * A writer of a table's rows that replaces its target folder, without Parquet dictionaries for
   * the columns whose values are unique per row.
   */
  static DataFrameWriter<Row> writer(Dataset<Row> table) {
    DataFrameWriter<Row> writer = table.write().mode(SaveMode.Overwrite);
    // Values that are unique per row never compress by dictionary; Parquet would build one and
    // throw it away.
    for (String column : UNIQUE_PER_ROW) {
      if (List.of(table.columns()).contains(column)) {
        writer = writer.option("parquet.enable.dictionary#" + column, "false");
      }
    }
    return writer;
  }

  private static final List<String> UNIQUE_PER_ROW =
      List.of("sequence_id", "nll_sum", "mean_nll", "ppl", "message");

  /** {@code corpus/}: one small file, written from the driver. */
  public static void writeCorpus(
      SparkSession spark, List<CorpusRow> corpus, String output, String runId) {
    List<Row> rows = new ArrayList<>(corpus.size());
    for (CorpusRow c : corpus) {
      Object[] values =
          new Object[] {
            runId,
            c.model(),
            c.tokenizer(),
            c.domain(),
            c.sequences(),
            c.tokens(),
            c.bytes(),
            c.chars(),
            c.words(),
            c.nllSum(),
            c.meanNll(),
            c.pplToken(),
            c.bitsPerToken(),
            c.bitsPerByte(),
            c.bitsPerChar(),
            c.pplByte(),
            c.pplWord(),
            c.domains(),
            c.macroMeanNll(),
            c.macroBitsPerByte()
          };
      Object[] interval = CorpusInterval.columns(c.interval());
      Object[] row =
          java.util.Arrays.copyOf(values, values.length + SoftColumn.COUNT + 1 + interval.length);
      for (SoftColumn column : SoftColumn.values()) {
        row[values.length + column.ordinal()] = c.soft(column);
      }
      int flags = values.length + SoftColumn.COUNT;
      row[flags] = scala.jdk.javaapi.CollectionConverters.asScala(c.flags()).toSeq();
      System.arraycopy(interval, 0, row, flags + 1, interval.length);
      rows.add(RowFactory.create(row));
    }
    SmallTables.replace(spark, rows, CORPUS_SCHEMA, path(output, CORPUS));
  }

  /** The run's row of {@code runs/}. */
  public static Row runRow(RunRecord run) {
    List<Row> files = new ArrayList<>();
    for (RunRecord.InputFile f : run.inputFiles()) {
      files.add(
          RowFactory.create(
              f.path(),
              f.bytes(),
              f.modifiedAt() == null ? null : Timestamp.from(f.modifiedAt()),
              f.rowsRead(),
              f.scored(),
              f.rejected()));
    }
    return RowFactory.create(
        run.runId(),
        Timestamp.from(run.startedAt()),
        Timestamp.from(run.endedAt()),
        run.status(),
        run.format(),
        scala.jdk.javaapi.CollectionConverters.asScala(run.inputs()).toSeq(),
        scala.jdk.javaapi.CollectionConverters.asScala(files).toSeq(),
        run.configuration(),
        run.softmetricsVersion(),
        run.sparkVersion(),
        run.javaVersion(),
        run.master(),
        run.rowsRead(),
        run.rowsScored(),
        run.sequencesScored(),
        run.rowsRejected(),
        run.accountingOk(),
        RunRecord.SCHEMA_VERSION,
        Versions.gitCommit(),
        run.incremental(),
        scala.jdk.javaapi.CollectionConverters.asScala(run.unchangedFiles()).toSeq(),
        scala.jdk.javaapi.CollectionConverters.asScala(run.stageSeconds()),
        scala.jdk.javaapi.CollectionConverters.asScala(skippedFiles(run)).toSeq());
  }

  private static List<Row> skippedFiles(RunRecord run) {
    List<Row> out = new ArrayList<>();
    for (RunRecord.SkippedFile f : run.skippedFiles()) {
      out.add(RowFactory.create(f.path(), f.bytes(), f.rows(), f.reason()));
    }
    return out;
  }

  /** The folder of one table under the output folder. */
  public static String path(String output, String table) {
    return output.endsWith("/") ? output + table : output + "/" + table;
  }
}
