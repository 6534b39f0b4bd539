package dev.softmetrics.job.io;

import dev.softmetrics.job.config.ColumnNames;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The scan of JSON Lines input: one task per file reads its lines into the columnar batches the
 * Parquet scan would give ({@link JsonLinesBatches}), so the same scorer, checks and accounting run
 * on them. A file is not split (a gzip stream cannot be, and a line's index needs the lines before
 * it), so a run's parallelism is its number of files.
 */
final class JsonLinesScan {
  /** The column of a line's problem: null for a line that is one well-typed JSON object. */
  static final String LINE_PROBLEM = "_line_problem";

  static final String FILE_PATH = "file_path";
  static final String ROW_INDEX = "_tmp_metadata_row_index";

  private final SparkSession spark;
  private final StructType layout;
  private final int dataColumns;
  private final boolean[] labels;
  private final Map<String, String[]> folderLabels;
  private final int batchRows;

  private JsonLinesScan(
      SparkSession spark,
      StructType layout,
      int dataColumns,
      boolean[] labels,
      Map<String, String[]> folderLabels,
      int batchRows) {
    this.spark = spark;
    this.layout = layout;
    this.dataColumns = dataColumns;
    this.labels = labels;
    this.folderLabels = folderLabels;
    this.batchRows = batchRows;
  }

  /** The scan of {@code input}'s files (JSON Lines, checked by {@link InputCheck}). */
  static JsonLinesScan of(
      SparkSession spark, CheckedInput input, ColumnNames names, int batchRows) {
    StructType layout = new StructType();
    List<Boolean> isLabel = new ArrayList<>();
    for (StructField field : input.readSchema().fields()) {
      layout = layout.add(field);
      isLabel.add(names.labels().contains(field.name()));
    }
    int dataColumns = layout.fields().length;
    FolderLabels folders = input.labels();
    for (StructField key : folders.schema().fields()) {
      layout = layout.add(key);
    }
    layout =
        layout
            .add(FILE_PATH, DataTypes.StringType, false)
            .add(ROW_INDEX, DataTypes.LongType, false)
            .add(LINE_PROBLEM, DataTypes.StringType, true);
    boolean[] labels = new boolean[dataColumns];
    for (int c = 0; c < dataColumns; c++) {
      labels[c] = isLabel.get(c);
    }
    Map<String, String[]> byFile = new HashMap<>();
    int keys = folders.schema().fields().length;
    for (InputFiles.InputFile f : input.files()) {
      InternalRow values = folders.values(f.path());
      String[] text = new String[keys];
      for (int k = 0; k < keys; k++) {
        text[k] = values.isNullAt(k) ? null : values.getUTF8String(k).toString();
      }
      byFile.put(f.path(), text);
    }
    return new JsonLinesScan(spark, layout, dataColumns, labels, byFile, batchRows);
  }

  /** The names of the batches' columns, in order. */
  List<String> columnNames() {
    return List.of(layout.fieldNames());
  }

  /** The batches of {@code files}, one partition per file. */
  JavaRDD<ColumnarBatch> batches(List<String> files) {
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    SerializableConfiguration hadoop =
        new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
    return context
        .parallelize(files, Math.max(1, files.size()))
        .mapPartitions(new ReadFiles(layout, dataColumns, labels, folderLabels, hadoop, batchRows));
  }

  /** A task's files read into batches, closed when the task completes. */
  private record ReadFiles(
      StructType layout,
      int dataColumns,
      boolean[] labels,
      Map<String, String[]> folderLabels,
      SerializableConfiguration hadoop,
      int batchRows)
      implements FlatMapFunction<Iterator<String>, ColumnarBatch>, Serializable {

    @Override
    public Iterator<ColumnarBatch> call(Iterator<String> files) {
      List<String> mine = new ArrayList<>();
      files.forEachRemaining(mine::add);
      return TaskEnd.closes(
          new JsonLinesBatches(
              mine, layout, dataColumns, labels, folderLabels, hadoop.value(), batchRows));
    }
  }
}
