package dev.softmetrics.job.io;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.config.InputFileFormat;
import dev.softmetrics.job.config.InputFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Opens the input shards as Spark's own columnar Parquet scan, so that the kernels receive the
 * reader's batches instead of rows; JSON Lines input as batches of the same form ({@link
 * JsonLinesScan}).
 *
 * <p>The scan reads the files {@link InputListing} lists under the inputs (files, folders at any
 * depth, globs, any Hadoop URI), with their folder labels as columns, once {@link InputCheck} has
 * checked their footers. Besides the columns the layout needs it reads {@code _metadata.file_path}
 * and {@code _metadata.row_index}, so every rejected row can be named by file and row.
 */
public final class ShardScan {
  private final JavaRDD<ColumnarBatch> batches;
  private final ScanColumns columns;
  private final Dataset<Row> raw;
  private final Column[] select;
  private final ColumnNames names;
  private final List<String> inputs;
  private final InputFormat layout;
  private final int batchRows;
  private final JsonLinesScan lines;
  private final ColumnPages logprobPages;
  private final LogitsPages logitsPages;

  private static final String BATCH_ROWS = "spark.sql.parquet.columnarReaderBatchSize";

  private ShardScan(
      JavaRDD<ColumnarBatch> batches,
      ScanColumns columns,
      Dataset<Row> raw,
      Column[] select,
      ColumnNames names,
      List<String> inputs,
      InputFormat layout,
      int batchRows,
      JsonLinesScan lines,
      ColumnPages logprobPages,
      LogitsPages logitsPages) {
    this.batches = batches;
    this.columns = columns;
    this.raw = raw;
    this.select = select;
    this.names = names;
    this.inputs = inputs;
    this.layout = layout;
    this.batchRows = batchRows;
    this.lines = lines;
    this.logprobPages = logprobPages;
    this.logitsPages = logitsPages;
  }

  /** The input's layout: {@link InputFormat#LOGPROBS} or {@link InputFormat#LOGITS}. */
  public InputFormat layout() {
    return layout;
  }

  /** The reader's batches, one partition per file split. */
  public JavaRDD<ColumnarBatch> batches() {
    return batches;
  }

  /** Where each input column sits in a batch. */
  public ScanColumns columns() {
    return columns;
  }

  /**
   * The log-prob column when the tasks read it from the Parquet pages themselves ({@link
   * ListColumnReader}; then the batches do not hold it), or null when the batches hold it.
   */
  public ColumnPages logprobPages() {
    return logprobPages;
  }

  /**
   * The binary logits columns that the tasks read from the Parquet pages themselves ({@link
   * BinaryColumnReader}; the batches then lack them): {@link LogitsPages#NONE} when the batches
   * hold them.
   */
  public LogitsPages logitsPages() {
    return logitsPages;
  }

  /**
   * The logits layout's binary columns read from the pages: {@code logits}, and {@code ref_logits}
   * when the input has it; each null when the batches hold it.
   */
  public record LogitsPages(ColumnPages logits, ColumnPages refLogits)
      implements java.io.Serializable {
    public static final LogitsPages NONE = new LogitsPages(null, null);
  }

  /**
   * The same scan restricted to some of its files (as {@code _metadata.file_path} spells them). The
   * inputs are neither listed nor their schema read again; partition columns of Hive-style folders
   * ({@code model=x/}) stay columns, and Spark prunes the other files by the metadata filter.
   */
  public ShardScan onlyFiles(List<String> files) {
    if (lines != null) {
      return new ShardScan(
          lines.batches(files),
          columns,
          null,
          null,
          names,
          inputs,
          layout,
          batchRows,
          lines,
          null,
          LogitsPages.NONE);
    }
    return plan(
        raw.filter(functions.col("_metadata.file_path").isin(files.toArray())),
        raw,
        select,
        names,
        inputs,
        layout,
        batchRows,
        logprobPages,
        logitsPages);
  }

  /**
   * Spark settings the columnar path depends on; the job sets them on its session before it plans.
   */
  public static final Map<String, String> REQUIRED_SQL_CONF =
      Map.of(
          "spark.sql.parquet.enableVectorizedReader", "true",
          "spark.sql.parquet.enableNestedColumnVectorizedReader", "true",
          "spark.sql.columnVector.offheap.enabled", "true",
          "spark.sql.sources.partitionColumnTypeInference.enabled", "false");

  /**
   * Plans the scan of an input that {@link InputCheck} has checked: its columns, read with the
   * merged schema (so Spark infers none), from its files to score (not the skipped or unchanged
   * ones). With {@code logprobPages}, the log-prob column of Parquet input in the log-prob layout
   * is left out of the scan: the tasks read it from the pages ({@link #logprobPages()}); with
   * {@code logitsPages}, so are the binary logits columns of the logits layout ({@link
   * #logitsPages()}).
   *
   * @throws IllegalArgumentException when the files listed now are not the ones checked
   */
  public static ShardScan open(
      SparkSession spark,
      CheckedInput input,
      ColumnNames names,
      int batchRows,
      int logitsBatchRows,
      boolean logprobPages,
      boolean logitsPages) {
    List<String> inputs = input.inputs();
    List<InputListing.ListedFile> listed =
        InputListing.list(inputs, spark.sparkContext().hadoopConfiguration());
    if (!InputCheck.paths(listed).equals(input.listed())) {
      throw new IllegalArgumentException(
          "Cannot score "
              + String.join(",", inputs)
              + ": its files changed while the run started (files were added or removed); run"
              + " again once the input is complete");
    }
    // Only the files to score: skipped and unchanged ones are not part of the relation.
    Set<String> toScore = new HashSet<>();
    input.files().forEach(f -> toScore.add(f.path()));
    List<FileStatus> files = new ArrayList<>();
    for (InputListing.ListedFile f : listed) {
      if (toScore.contains(f.path())) {
        files.add(f.status());
      }
    }
    if (input.fileFormat() == InputFileFormat.JSONL) {
      JsonLinesScan scan = JsonLinesScan.of(spark, input, names, batchRows);
      List<String> paths = input.files().stream().map(InputFiles.InputFile::path).toList();
      return new ShardScan(
          scan.batches(paths),
          ScanColumns.of(scan.columnNames(), names),
          null,
          null,
          names,
          inputs,
          input.layout(),
          batchRows,
          scan,
          null,
          LogitsPages.NONE);
    }
    Dataset<Row> raw = ListedRelation.read(spark, files, input.labels(), input.readSchema());
    ColumnPages pages =
        logprobPages && input.layout() == InputFormat.LOGPROBS
            ? ColumnPages.of(spark, names.tokenLogprobs())
            : null;
    LogitsPages blobs =
        logitsPages && input.layout() == InputFormat.LOGITS
            ? logitsPages(spark, input.readSchema(), names)
            : LogitsPages.NONE;
    Set<String> fromPages = new HashSet<>();
    for (ColumnPages p : new ColumnPages[] {pages, blobs.logits(), blobs.refLogits()}) {
      if (p != null) {
        fromPages.add(p.column());
      }
    }
    List<Column> select = new ArrayList<>();
    for (String name : input.columns()) {
      if (!fromPages.contains(name)) {
        select.add(functions.col(quote(name)));
      }
    }
    select.add(functions.col("_metadata.file_path"));
    select.add(functions.col("_metadata.row_index"));
    int rows = input.layout() == InputFormat.LOGITS ? logitsBatchRows : batchRows;
    return plan(
        raw, raw, select.toArray(new Column[0]), names, inputs, input.layout(), rows, pages, blobs);
  }

  /** The logits columns of {@code schema} that are binary, to be read from their pages. */
  private static LogitsPages logitsPages(SparkSession spark, StructType schema, ColumnNames names) {
    ColumnPages logits = null;
    ColumnPages refLogits = null;
    for (StructField field : schema.fields()) {
      if (!(field.dataType() instanceof BinaryType)) {
        continue;
      }
      if (field.name().equals(names.logits())) {
        logits =
            refLogits == null
                ? ColumnPages.of(spark, field.name())
                : refLogits.sameFiles(field.name());
      } else if (field.name().equals(names.refLogits())) {
        refLogits =
            logits == null ? ColumnPages.of(spark, field.name()) : logits.sameFiles(field.name());
      }
    }
    return new LogitsPages(logits, refLogits);
  }

  private static ShardScan plan(
      Dataset<Row> source,
      Dataset<Row> raw,
      Column[] select,
      ColumnNames names,
      List<String> inputs,
      InputFormat layout,
      int batchRows,
      ColumnPages logprobPages,
      LogitsPages logitsPages) {
    // The reader takes its batch size from the session when the scan is planned.
    source.sparkSession().conf().set(BATCH_ROWS, batchRows);
    Dataset<Row> projected = source.select(select);
    FileSourceScanExec scan = findScan(projected.queryExecution().executedPlan());
    if (!scan.supportsColumnar()) {
      throw new IllegalStateException(
          "Cannot read "
              + String.join(",", inputs)
              + " as columnar batches: Spark planned a row-based Parquet scan");
    }
    List<String> output = new ArrayList<>();
    CollectionConverters.asJava(scan.output()).forEach(a -> output.add(a.name()));
    ScanColumns columns = ScanColumns.of(output, names);
    return new ShardScan(
        scan.executeColumnar().toJavaRDD(),
        columns,
        raw,
        select,
        names,
        inputs,
        layout,
        batchRows,
        null,
        logprobPages,
        logitsPages);
  }

  private static FileSourceScanExec findScan(SparkPlan plan) {
    List<SparkPlan> found = new ArrayList<>();
    collect(plan, found);
    if (found.size() != 1) {
      throw new IllegalStateException(
          "Cannot find the Parquet scan in the plan: " + plan.treeString());
    }
    return (FileSourceScanExec) found.get(0);
  }

  private static void collect(SparkPlan plan, List<SparkPlan> found) {
    if (plan instanceof FileSourceScanExec) {
      found.add(plan);
    }
    for (SparkPlan child : CollectionConverters.asJava(plan.children())) {
      collect(child, found);
    }
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /**
   * Positions of the input columns in a batch of the scan. The reader orders columns as the file
   * does, not as the select did, so they are looked up by name in the scan's output.
   */
  public record ScanColumns(
      int sequenceId,
      int model,
      int tokenizer,
      int domain,
      int tokenLogprobs,
      int text,
      int numBytes,
      int numChars,
      int numWords,
      int tokenEntropies,
      int refLogprobs,
      int topLogprobs,
      int vocabSize,
      int targetIds,
      int logits,
      int refLogits,
      int logitsDtype,
      int firstPosition,
      int filePath,
      int rowIndex,
      int lineProblem,
      int[] extraLabels)
      implements java.io.Serializable {

    /** -1 for a column the input does not have. */
    public static final int ABSENT = -1;

    /** The positions of the columns named {@code output}, in a batch's order. */
    static ScanColumns of(List<String> output, ColumnNames names) {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < output.size(); i++) {
        index.put(output.get(i), i);
      }
      return new ScanColumns(
          index.get(names.sequenceId()),
          index.get(names.model()),
          index.get(names.tokenizer()),
          index.get(names.domain()),
          index.getOrDefault(names.tokenLogprobs(), ABSENT),
          index.getOrDefault(names.text(), ABSENT),
          index.getOrDefault(names.numBytes(), ABSENT),
          index.getOrDefault(names.numChars(), ABSENT),
          index.getOrDefault(names.numWords(), ABSENT),
          index.getOrDefault(names.tokenEntropies(), ABSENT),
          index.getOrDefault(names.refLogprobs(), ABSENT),
          index.getOrDefault(names.topLogprobs(), ABSENT),
          index.getOrDefault(names.vocabSize(), ABSENT),
          index.getOrDefault(names.targetIds(), ABSENT),
          index.getOrDefault(names.logits(), ABSENT),
          index.getOrDefault(names.refLogits(), ABSENT),
          index.getOrDefault(names.logitsDtype(), ABSENT),
          index.getOrDefault(names.firstPosition(), ABSENT),
          metadata(index, "file_path"),
          metadata(index, "_tmp_metadata_row_index"),
          index.getOrDefault(JsonLinesScan.LINE_PROBLEM, ABSENT),
          names.extraLabels().stream().mapToInt(index::get).toArray());
    }

    private static int metadata(Map<String, Integer> index, String name) {
      Integer i = index.get(name);
      if (i == null) {
        throw new IllegalStateException(
            "Cannot find metadata column " + name + " in the scan's output " + index.keySet());
      }
      return i;
    }

    /** The label positions: the four built-in labels, then the extra labels. */
    public int[] labels() {
      int[] labels = new int[4 + extraLabels.length];
      labels[0] = sequenceId;
      labels[1] = model;
      labels[2] = tokenizer;
      labels[3] = domain;
      System.arraycopy(extraLabels, 0, labels, 4, extraLabels.length);
      return labels;
    }
  }
}
