package dev.softmetrics.job.io;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.config.InputFormat;
import dev.softmetrics.job.config.ReadEngine;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.FilePartition;
import org.apache.spark.sql.execution.datasources.FileScanRDD;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Opens the input shards as columnar batches for the kernels, from Spark's own Parquet scan or from
 * Arrow's native reader ({@link NativeShards}) over the files that scan planned.
 *
 * <p>The scan reads files, folders, globs and any Hadoop URI that {@code spark.read().parquet}
 * takes. Besides the columns the layout needs it reads {@code _metadata.file_path} and {@code
 * _metadata.row_index}, so every rejected row can be named by file and row.
 */
public final class ShardScan {
  private static final Logger LOG = LoggerFactory.getLogger(ShardScan.class);

  private final SparkSession spark;
  private final FileSourceScanExec scan;
  private final ScanColumns columns;
  private final Dataset<Row> raw;
  private final Column[] select;
  private final ColumnNames names;
  private final List<String> inputs;
  private final ReadEngine engine;
  private final NativeShards.Slots slots;
  private final List<NativeShards.ShardFile> shardFiles;
  private final int batchRows;

  private ShardScan(
      SparkSession spark,
      FileSourceScanExec scan,
      ScanColumns columns,
      Dataset<Row> raw,
      Column[] select,
      ColumnNames names,
      List<String> inputs,
      ReadEngine engine,
      NativeShards.Slots slots,
      List<NativeShards.ShardFile> shardFiles,
      int batchRows) {
    this.spark = spark;
    this.scan = scan;
    this.columns = columns;
    this.raw = raw;
    this.select = select;
    this.names = names;
    this.inputs = inputs;
    this.engine = engine;
    this.slots = slots;
    this.shardFiles = shardFiles;
    this.batchRows = batchRows;
  }

  /** The reader that feeds the batches: {@link ReadEngine#ARROW} or {@link ReadEngine#SPARK}. */
  public ReadEngine engine() {
    return engine;
  }

  /**
   * The batches of the scan, laid out as {@link #columns()} says. Spark's reader makes one
   * partition per file split; Arrow's reads whole files, spread over up to three tasks per core.
   */
  public JavaRDD<ColumnarBatch> batches() {
    if (engine == ReadEngine.SPARK) {
      return scan.executeColumnar().toJavaRDD();
    }
    int tasks = 3 * spark.sparkContext().defaultParallelism();
    List<List<NativeShards.ShardFile>> groups = NativeShards.groups(shardFiles, tasks);
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(groups, Math.max(1, groups.size()))
        .mapPartitions(new NativeShards.Reader(slots, batchRows));
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
        spark,
        raw.filter(functions.col("_metadata.file_path").isin(files.toArray())),
        raw,
        select,
        names,
        inputs,
        engine,
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
   * Plans the scan of the log-prob layout.
   *
   * @throws IllegalArgumentException when an input does not exist, or a column is missing or of the
   *     wrong type
   */
  public static ShardScan logprobs(
      SparkSession spark,
      List<String> inputs,
      ColumnNames names,
      InputFormat format,
      ReadEngine engine,
      int batchRows) {
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
    return plan(spark, raw, raw, select.toArray(new Column[0]), names, inputs, engine, batchRows);
  }

  private static ShardScan plan(
      SparkSession spark,
      Dataset<Row> source,
      Dataset<Row> raw,
      Column[] select,
      ColumnNames names,
      List<String> inputs,
      ReadEngine engine,
      int batchRows) {
    Dataset<Row> projected = source.select(select);
    FileSourceScanExec scan = findScan(projected.queryExecution().executedPlan());
    if (!scan.supportsColumnar()) {
      throw new IllegalStateException(
          "Cannot read "
              + String.join(",", inputs)
              + " as columnar batches: Spark planned a row-based Parquet scan");
    }
    List<Attribute> output = CollectionConverters.asJava(scan.output());
    ScanColumns columns = ScanColumns.of(output, names);
    NativeShards.Slots slots = slots(output, scan.relation().partitionSchema());
    List<NativeShards.ShardFile> files = shardFiles(scan);
    ReadEngine resolved = ReadEngine.SPARK;
    if (engine != ReadEngine.SPARK) {
      Optional<String> obstacle =
          nativeObstacle(
              files, slots, spark.sparkContext().isLocal() || engine == ReadEngine.ARROW);
      if (obstacle.isEmpty()) {
        resolved = ReadEngine.ARROW;
      } else if (engine == ReadEngine.ARROW) {
        throw new IllegalArgumentException(
            "Cannot read with read.engine=arrow: "
                + obstacle.get()
                + " (set read.engine to auto or spark)");
      } else {
        LOG.info("Reading with Spark's Parquet reader: {}", obstacle.get());
      }
    }
    return new ShardScan(
        spark, scan, columns, raw, select, names, inputs, resolved, slots, files, batchRows);
  }

  /** Why Arrow's reader cannot read these files, or empty when it can. */
  private static Optional<String> nativeObstacle(
      List<NativeShards.ShardFile> files, NativeShards.Slots slots, boolean onThisMachine) {
    for (NativeShards.ShardFile file : files) {
      if (!file.uri().startsWith("file:")) {
        return Optional.of(file.path() + " is not on the local file system");
      }
    }
    if (!onThisMachine) {
      // Executors may run on other machines and architectures than the driver, and the check of
      // the native library below speaks for this one only: auto takes Arrow's reader on a local
      // master, read.engine=arrow anywhere.
      return Optional.of("the master is not local");
    }
    Optional<String> unavailable = NativeShards.unavailableReason();
    if (unavailable.isPresent() || files.isEmpty()) {
      return unavailable;
    }
    return NativeShards.unsupportedColumns(files.get(0), slots);
  }

  /**
   * A file's URI as Spark's {@code _metadata.file_path} spells it: percent-encoded, and without the
   * empty authority ({@code file:/a%20b/c.parquet}, not {@code file:///a%20b/c.parquet}).
   */
  static String metadataFilePath(URI uri) {
    try {
      String authority = uri.getRawAuthority();
      return new URI(
              uri.getScheme(),
              authority == null || authority.isEmpty() ? null : uri.getAuthority(),
              uri.getPath(),
              null,
              null)
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Invalid input path: " + uri, e);
    }
  }

  /** What fills each position of the scan's output, for Arrow's reader. */
  private static NativeShards.Slots slots(List<Attribute> output, StructType partitionSchema) {
    int n = output.size();
    String[] slotNames = new String[n];
    NativeShards.Kind[] kinds = new NativeShards.Kind[n];
    DataType[] types = new DataType[n];
    int[] partitionIndex = new int[n];
    List<String> partitions = List.of(partitionSchema.fieldNames());
    for (int i = 0; i < n; i++) {
      Attribute attribute = output.get(i);
      slotNames[i] = attribute.name();
      types[i] = attribute.dataType();
      partitionIndex[i] = partitions.indexOf(attribute.name());
      if (attribute.name().equals(ScanColumns.FILE_PATH)) {
        kinds[i] = NativeShards.Kind.FILE_PATH;
      } else if (attribute.name().equals(ScanColumns.ROW_INDEX)) {
        kinds[i] = NativeShards.Kind.ROW_INDEX;
      } else if (partitionIndex[i] >= 0) {
        kinds[i] = NativeShards.Kind.PARTITION;
      } else {
        kinds[i] = NativeShards.Kind.DATA;
      }
    }
    return new NativeShards.Slots(slotNames, kinds, types, partitionIndex);
  }

  /**
   * The files Spark planned, each once (Spark splits large files into byte ranges), with their
   * partition values, in Spark's order.
   */
  private static List<NativeShards.ShardFile> shardFiles(FileSourceScanExec scan) {
    Map<String, NativeShards.ShardFile> files = new LinkedHashMap<>();
    int partitionColumns = scan.relation().partitionSchema().size();
    FileScanRDD rdd = (FileScanRDD) scan.inputRDD();
    for (FilePartition partition : CollectionConverters.asJava(rdd.filePartitions())) {
      for (PartitionedFile file : partition.files()) {
        String path = metadataFilePath(file.filePath().toUri());
        if (files.containsKey(path)) {
          continue;
        }
        String[] values = new String[partitionColumns];
        InternalRow row = file.partitionValues();
        for (int p = 0; p < partitionColumns; p++) {
          values[p] = row.isNullAt(p) ? null : row.getUTF8String(p).toString();
        }
        files.put(
            path,
            new NativeShards.ShardFile(
                path, file.filePath().toUri().toString(), file.fileSize(), values));
      }
    }
    return new ArrayList<>(files.values());
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

    /** The name of {@code _metadata.file_path} in the scan's output. */
    static final String FILE_PATH = "file_path";

    /** The name of {@code _metadata.row_index} in the scan's output. */
    static final String ROW_INDEX = "_tmp_metadata_row_index";

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
          metadata(index, FILE_PATH),
          metadata(index, ROW_INDEX));
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
