package dev.softmetrics.job.output;

import dev.softmetrics.job.aggregate.CorpusInterval;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.aggregate.PositionRow;
import dev.softmetrics.job.config.Versions;
import dev.softmetrics.job.tables.Columns;
import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.job.tables.Table;
import dev.softmetrics.job.tables.Tables;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Writes the output tables under the output folder: {@code sequences/}, {@code rejected/} and
 * {@code corpus/} are replaced by each run; {@code runs/} gains one row per run, written last, so a
 * run's row in {@code runs/} means its tables are complete. What each table holds, and where, is
 * {@link Tables}.
 */
public final class OutputTables {
  private OutputTables() {}

  /**
   * A writer of a table's rows that replaces its target folder, without Parquet dictionaries for
   * the columns whose values are unique per row.
   */
  static DataFrameWriter<Row> writer(Dataset<Row> table) {
    DataFrameWriter<Row> writer = table.write().mode(SaveMode.Overwrite);
    for (String column : withoutDictionary(List.of(table.columns()))) {
      writer = writer.option("parquet.enable.dictionary#" + column, "false");
    }
    return writer;
  }

  /**
   * The Parquet columns of a table with {@code columns} written without a dictionary: values that
   * are unique per row never compress by dictionary, and Parquet would build one and throw it away.
   * A list's values are the Parquet column {@code <name>.list.element}.
   */
  static List<String> withoutDictionary(List<String> columns) {
    List<String> parquet = new ArrayList<>();
    for (String column : UNIQUE_PER_ROW) {
      if (columns.contains(column)) {
        parquet.add(column);
      }
    }
    for (String column : UNIQUE_PER_ELEMENT) {
      if (columns.contains(column)) {
        parquet.add(column + ".list.element");
      }
    }
    return parquet;
  }

  private static final List<String> UNIQUE_PER_ROW =
      List.of(
          Columns.SEQUENCE_ID.name(),
          Columns.NLL_SUM.name(),
          Columns.MEAN_NLL.name(),
          Columns.PPL.name(),
          Columns.MESSAGE.name());

  /** List columns whose elements are unique: the position buckets' sums. */
  private static final List<String> UNIQUE_PER_ELEMENT =
      List.of(Columns.POSITION_NLL_SUM.name(), Columns.POSITION_ENTROPY_SUM.name());

  /**
   * {@code corpus/}: one small file, written from the driver, with the extra label columns {@code
   * extraLabels}; returns the rows it holds.
   */
  public static List<Row> writeCorpus(
      SparkSession spark,
      List<CorpusRow> corpus,
      String output,
      String runId,
      List<String> extraLabels) {
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
          java.util.Arrays.copyOf(
              values,
              values.length
                  + SoftColumn.COUNT
                  + SoftColumn.PER_SEQUENCE.size()
                  + 1
                  + interval.length);
      for (SoftColumn column : SoftColumn.values()) {
        row[values.length + column.ordinal()] = c.soft(column);
      }
      int perSequence = values.length + SoftColumn.COUNT;
      for (int k = 0; k < SoftColumn.PER_SEQUENCE.size(); k++) {
        row[perSequence + k] = c.perSequence(SoftColumn.PER_SEQUENCE.get(k));
      }
      int flags = perSequence + SoftColumn.PER_SEQUENCE.size();
      row[flags] = scala.jdk.javaapi.CollectionConverters.asScala(c.flags()).toSeq();
      System.arraycopy(interval, 0, row, flags + 1, interval.length);
      rows.add(RowFactory.create(withExtraLabels(row, c.extraLabels())));
    }
    Table table = Tables.withExtraLabels(Tables.CORPUS, extraLabels);
    SmallTables.replace(spark, rows, table.schema(), table.path(output));
    return rows;
  }

  /**
   * {@code positions/}: one small file, written from the driver, with the extra label columns
   * {@code extraLabels}.
   */
  public static void writePositions(
      SparkSession spark,
      List<PositionRow> positions,
      String output,
      String runId,
      List<String> extraLabels) {
    List<Row> rows = new ArrayList<>(positions.size());
    for (PositionRow p : positions) {
      rows.add(
          RowFactory.create(
              withExtraLabels(
                  new Object[] {
                    runId,
                    p.model(),
                    p.tokenizer(),
                    p.domain(),
                    p.bucket(),
                    p.firstPosition(),
                    p.lastPosition(),
                    p.tokens(),
                    p.nllSum(),
                    p.meanNll(),
                    p.pplToken(),
                    p.meanEntropy()
                  },
                  p.extraLabels())));
    }
    Table table = Tables.withExtraLabels(Tables.POSITIONS, extraLabels);
    SmallTables.replace(spark, rows, table.schema(), table.path(output));
  }

  /**
   * A driver-side row of {@code corpus/} or {@code positions/} (run_id, model, tokenizer first)
   * with the group's extra label values after {@code tokenizer}, as {@link Tables#withExtraLabels}
   * places their columns.
   */
  public static Object[] withExtraLabels(Object[] row, List<String> extraLabels) {
    return withExtraLabels(row, 3, extraLabels);
  }

  /** {@code row} with {@code extraLabels} inserted at {@code at}. */
  public static Object[] withExtraLabels(Object[] row, int at, List<String> extraLabels) {
    if (extraLabels.isEmpty()) {
      return row;
    }
    Object[] wider = new Object[row.length + extraLabels.size()];
    System.arraycopy(row, 0, wider, 0, at);
    for (int i = 0; i < extraLabels.size(); i++) {
      wider[at + i] = extraLabels.get(i);
    }
    System.arraycopy(row, at, wider, at + extraLabels.size(), row.length - at);
    return wider;
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
}
