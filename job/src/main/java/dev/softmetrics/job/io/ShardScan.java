package dev.softmetrics.job.io;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.config.InputFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Opens the input shards as Spark's own columnar Parquet scan, so that the kernels receive the
 * reader's batches instead of rows.
 *
 * <p>The scan reads files, folders, globs and any Hadoop URI that {@code spark.read().parquet}
 * takes. Besides the columns the layout needs it reads {@code _metadata.file_path} and {@code
 * _metadata.row_index}, so every rejected row can be named by file and row.
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

  private static final String BATCH_ROWS = "spark.sql.parquet.columnarReaderBatchSize";

  private ShardScan(
      JavaRDD<ColumnarBatch> batches,
      ScanColumns columns,
      Dataset<Row> raw,
      Column[] select,
      ColumnNames names,
      List<String> inputs,
      InputFormat layout,
      int batchRows) {
    this.batches = batches;
    this.columns = columns;
    this.raw = raw;
    this.select = select;
    this.names = names;
    this.inputs = inputs;
    this.layout = layout;
    this.batchRows = batchRows;
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

  /** The input files that Spark resolved. */
  public List<String> files() {
    return List.of(raw.inputFiles());
  }

  /**
   * The same scan restricted to some of its files (as {@code _metadata.file_path} spells them). The
   * inputs are neither listed nor their schema read again; partition columns of Hive-style folders
   * ({@code model=x/}) stay columns, and Spark prunes the other files by the metadata filter.
   */
  public ShardScan onlyFiles(List<String> files) {
    return plan(
        raw.filter(functions.col("_metadata.file_path").isin(files.toArray())),
        raw,
        select,
        names,
        inputs,
        layout,
        batchRows);
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
   * Plans the scan of the input, in the layout {@code format} names or the one its columns show.
   *
   * @throws IllegalArgumentException when an input does not exist, or a column is missing or of the
   *     wrong type
   */
  public static ShardScan open(
      SparkSession spark,
      List<String> inputs,
      ColumnNames names,
      InputFormat format,
      int batchRows,
      int logitsBatchRows) {
    Dataset<Row> raw = read(spark, inputs);
    StructType schema = raw.schema();
    InputFormat layout = detect(schema, names, format, inputs);
    for (String label : names.labels()) {
      requireType(schema, label, DataTypes.StringType, "string", inputs);
    }
    List<String> wanted = new ArrayList<>(names.labels());
    if (layout == InputFormat.LOGITS) {
      wanted.addAll(logitsColumns(schema, names, inputs));
    } else {
      wanted.addAll(logprobsColumns(schema, names, inputs));
    }
    boolean hasText = has(schema, names.text());
    if (hasText) {
      requireType(schema, names.text(), DataTypes.StringType, "string", inputs);
      wanted.add(names.text());
    }
    for (String count : List.of(names.numBytes(), names.numChars(), names.numWords())) {
      if (has(schema, count)) {
        requireInteger(schema, count, inputs);
        wanted.add(count);
      }
    }
    if (!hasText && !has(schema, names.numBytes())) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot score %s: neither %s nor %s is a column (ship the scored text, or its UTF-8"
                  + " byte count, so that bits-per-byte can be computed)",
              String.join(",", inputs), names.text(), names.numBytes()));
    }
    List<Column> select = new ArrayList<>();
    for (String name : wanted) {
      select.add(functions.col(quote(name)));
    }
    select.add(functions.col("_metadata.file_path"));
    select.add(functions.col("_metadata.row_index"));
    int rows = layout == InputFormat.LOGITS ? logitsBatchRows : batchRows;
    return plan(raw, raw, select.toArray(new Column[0]), names, inputs, layout, rows);
  }

  /** The layout's columns besides labels and counts: token_logprobs and the optional extras. */
  private static List<String> logprobsColumns(
      StructType schema, ColumnNames names, List<String> inputs) {
    List<String> wanted = new ArrayList<>();
    requireFloatingList(schema, names.tokenLogprobs(), 1, inputs);
    wanted.add(names.tokenLogprobs());
    for (String extra : List.of(names.tokenEntropies(), names.refLogprobs())) {
      if (has(schema, extra)) {
        requireFloatingList(schema, extra, 1, inputs);
        wanted.add(extra);
      }
    }
    if (has(schema, names.topLogprobs())) {
      requireFloatingList(schema, names.topLogprobs(), 2, inputs);
      if (!has(schema, names.vocabSize())) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot use %s in %s without a %s column (the entropy bounds need the vocabulary"
                    + " size; add it, or drop the top-k column)",
                names.topLogprobs(), String.join(",", inputs), names.vocabSize()));
      }
      requireInteger(schema, names.vocabSize(), inputs);
      wanted.add(names.topLogprobs());
      wanted.add(names.vocabSize());
    }
    return wanted;
  }

  /** The logits layout's columns besides labels and counts. */
  private static List<String> logitsColumns(
      StructType schema, ColumnNames names, List<String> inputs) {
    List<String> wanted = new ArrayList<>();
    DataType targets = requireColumn(schema, names.targetIds(), inputs);
    if (!(targets instanceof ArrayType array)
        || !(array.elementType().equals(DataTypes.IntegerType)
            || array.elementType().equals(DataTypes.LongType))) {
      throw schemaError(names.targetIds(), targets, "list<int> or list<bigint>", inputs);
    }
    wanted.add(names.targetIds());
    DataType logits = requireColumn(schema, names.logits(), inputs);
    String form = logitsForm(logits);
    if (form == null) {
      throw schemaError(names.logits(), logits, "binary, list<float> or list<list<float>>", inputs);
    }
    wanted.add(names.logits());
    if (has(schema, names.refLogits())) {
      DataType ref = schema.apply(names.refLogits()).dataType();
      if (!ref.equals(logits)) {
        throw schemaError(
            names.refLogits(),
            ref,
            logits.simpleString() + ", the type of " + names.logits(),
            inputs);
      }
      wanted.add(names.refLogits());
    }
    if (!form.equals("nested") || has(schema, names.vocabSize())) {
      requireInteger(schema, names.vocabSize(), inputs);
      wanted.add(names.vocabSize());
    }
    if (form.equals("binary")) {
      requireType(schema, names.logitsDtype(), DataTypes.StringType, "string", inputs);
      wanted.add(names.logitsDtype());
    }
    if (has(schema, names.firstPosition())) {
      requireInteger(schema, names.firstPosition(), inputs);
      wanted.add(names.firstPosition());
    }
    return wanted;
  }

  /** "binary", "flat" or "nested" for a logits column type, else null. */
  private static String logitsForm(DataType type) {
    if (type.equals(DataTypes.BinaryType)) {
      return "binary";
    }
    if (type instanceof ArrayType outer) {
      if (outer.elementType().equals(DataTypes.FloatType)) {
        return "flat";
      }
      if (outer.elementType() instanceof ArrayType inner
          && inner.elementType().equals(DataTypes.FloatType)) {
        return "nested";
      }
    }
    return null;
  }

  private static void requireFloatingList(
      StructType schema, String name, int depth, List<String> inputs) {
    DataType type = requireColumn(schema, name, inputs);
    DataType element = type;
    for (int level = 0; level < depth; level++) {
      if (!(element instanceof ArrayType array)) {
        element = null;
        break;
      }
      element = array.elementType();
    }
    if (element == null
        || !(element.equals(DataTypes.FloatType) || element.equals(DataTypes.DoubleType))) {
      String expected =
          depth == 1 ? "list<float> or list<double>" : "list<list<float>> or list<list<double>>";
      throw schemaError(name, type, expected, inputs);
    }
  }

  private static void requireInteger(StructType schema, String name, List<String> inputs) {
    DataType type = requireColumn(schema, name, inputs);
    if (!type.equals(DataTypes.IntegerType) && !type.equals(DataTypes.LongType)) {
      throw schemaError(name, type, "int or long", inputs);
    }
  }

  private static ShardScan plan(
      Dataset<Row> source,
      Dataset<Row> raw,
      Column[] select,
      ColumnNames names,
      List<String> inputs,
      InputFormat layout,
      int batchRows) {
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
    ScanColumns columns = ScanColumns.of(CollectionConverters.asJava(scan.output()), names);
    return new ShardScan(
        scan.executeColumnar().toJavaRDD(), columns, raw, select, names, inputs, layout, batchRows);
  }

  private static Dataset<Row> read(SparkSession spark, List<String> inputs) {
    try {
      return spark.read().parquet(inputs.toArray(new String[0]));
    } catch (Exception e) {
      if (e instanceof AnalysisException) {
        throw new IllegalArgumentException(
            "Cannot read input: " + firstLine(e.getMessage()) + " (check --input)", e);
      }
      throw e;
    }
  }

  private static InputFormat detect(
      StructType schema, ColumnNames names, InputFormat format, List<String> inputs) {
    if (format != InputFormat.AUTO) {
      return format;
    }
    if (has(schema, names.tokenLogprobs())) {
      return InputFormat.LOGPROBS;
    }
    if (has(schema, names.logits()) || has(schema, names.targetIds())) {
      return InputFormat.LOGITS;
    }
    throw new IllegalArgumentException(
        String.format(
            "Cannot detect the input layout of %s: no %s column (logprobs layout) and no %s/%s"
                + " columns (logits layout); columns are %s. Map your column names in the configuration"
                + " (columns.token-logprobs, columns.logits) or pass --format",
            String.join(",", inputs),
            names.tokenLogprobs(),
            names.logits(),
            names.targetIds(),
            String.join(", ", schema.fieldNames())));
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

  private static boolean has(StructType schema, String name) {
    return List.of(schema.fieldNames()).contains(name);
  }

  private static DataType requireColumn(StructType schema, String name, List<String> inputs) {
    if (!has(schema, name)) {
      throw new IllegalArgumentException(
          String.format(
              "Missing column %s in %s (columns are %s; map another name onto it in the"
                  + " configuration's columns block)",
              name, String.join(",", inputs), String.join(", ", schema.fieldNames())));
    }
    return schema.apply(name).dataType();
  }

  private static void requireType(
      StructType schema, String name, DataType type, String expected, List<String> inputs) {
    DataType actual = requireColumn(schema, name, inputs);
    if (!actual.equals(type)) {
      throw schemaError(name, actual, expected, inputs);
    }
  }

  private static IllegalArgumentException schemaError(
      String name, DataType actual, String expected, List<String> inputs) {
    return new IllegalArgumentException(
        String.format(
            "Invalid column %s: %s in %s (must be %s)",
            name, actual.simpleString(), String.join(",", inputs), expected));
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
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
      int rowIndex)
      implements java.io.Serializable {

    /** -1 for a column the input does not have. */
    public static final int ABSENT = -1;

    static ScanColumns of(List<Attribute> output, ColumnNames names) {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < output.size(); i++) {
        index.put(output.get(i).name(), i);
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
          metadata(index, "_tmp_metadata_row_index"));
    }

    private static int metadata(Map<String, Integer> index, String name) {
      Integer i = index.get(name);
      if (i == null) {
        throw new IllegalStateException(
            "Cannot find metadata column " + name + " in the scan's output " + index.keySet());
      }
      return i;
    }

    /** The four label positions, in output order. */
    public int[] labels() {
      return new int[] {sequenceId, model, tokenizer, domain};
    }
  }
}
