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

  private ShardScan(
      JavaRDD<ColumnarBatch> batches,
      ScanColumns columns,
      Dataset<Row> raw,
      Column[] select,
      ColumnNames names,
      List<String> inputs) {
    this.batches = batches;
    this.columns = columns;
    this.raw = raw;
    this.select = select;
    this.names = names;
    this.inputs = inputs;
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
        inputs);
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
   * Plans the scan of the log-prob layout.
   *
   * @throws IllegalArgumentException when an input does not exist, or a column is missing or of the
   *     wrong type
   */
  public static ShardScan logprobs(
      SparkSession spark, List<String> inputs, ColumnNames names, InputFormat format) {
    Dataset<Row> raw = read(spark, inputs);
    StructType schema = raw.schema();
    InputFormat layout = detect(schema, names, format, inputs);
    if (layout == InputFormat.LOGITS) {
      throw new IllegalArgumentException(
          "Cannot score "
              + String.join(",", inputs)
              + ": the logits layout is not supported by this version yet"
              + " (ship token_logprobs, the logprobs layout)");
    }
    for (String label : names.labels()) {
      requireType(schema, label, DataTypes.StringType, "string", inputs);
    }
    DataType logprobs = requireColumn(schema, names.tokenLogprobs(), inputs);
    if (!(logprobs instanceof ArrayType array)
        || !(array.elementType().equals(DataTypes.FloatType)
            || array.elementType().equals(DataTypes.DoubleType))) {
      throw schemaError(names.tokenLogprobs(), logprobs, "list<float> or list<double>", inputs);
    }
    boolean hasText = has(schema, names.text());
    if (hasText) {
      requireType(schema, names.text(), DataTypes.StringType, "string", inputs);
    }
    List<String> counts = new ArrayList<>();
    for (String count : List.of(names.numBytes(), names.numChars(), names.numWords())) {
      if (has(schema, count)) {
        DataType type = schema.apply(count).dataType();
        if (!type.equals(DataTypes.IntegerType) && !type.equals(DataTypes.LongType)) {
          throw schemaError(count, type, "int or long", inputs);
        }
        counts.add(count);
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
    List<String> wanted = new ArrayList<>(names.labels());
    wanted.add(names.tokenLogprobs());
    if (hasText) {
      wanted.add(names.text());
    }
    wanted.addAll(counts);
    for (String name : wanted) {
      select.add(functions.col(quote(name)));
    }
    select.add(functions.col("_metadata.file_path"));
    select.add(functions.col("_metadata.row_index"));
    return plan(raw, raw, select.toArray(new Column[0]), names, inputs);
  }

  private static ShardScan plan(
      Dataset<Row> source,
      Dataset<Row> raw,
      Column[] select,
      ColumnNames names,
      List<String> inputs) {
    Dataset<Row> projected = source.select(select);
    FileSourceScanExec scan = findScan(projected.queryExecution().executedPlan());
    if (!scan.supportsColumnar()) {
      throw new IllegalStateException(
          "Cannot read "
              + String.join(",", inputs)
              + " as columnar batches: Spark planned a row-based Parquet scan");
    }
    ScanColumns columns = ScanColumns.of(CollectionConverters.asJava(scan.output()), names);
    return new ShardScan(scan.executeColumnar().toJavaRDD(), columns, raw, select, names, inputs);
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
    if (has(schema, "logits") || has(schema, "target_ids")) {
      return InputFormat.LOGITS;
    }
    throw new IllegalArgumentException(
        String.format(
            "Cannot detect the input layout of %s: no %s column (logprobs layout) and no logits/target_ids"
                + " columns (logits layout); columns are %s. Map your column names in the configuration"
                + " (columns.token-logprobs) or pass --format",
            String.join(",", inputs),
            names.tokenLogprobs(),
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
          index.get(names.tokenLogprobs()),
          index.getOrDefault(names.text(), ABSENT),
          index.getOrDefault(names.numBytes(), ABSENT),
          index.getOrDefault(names.numChars(), ABSENT),
          index.getOrDefault(names.numWords(), ABSENT),
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
