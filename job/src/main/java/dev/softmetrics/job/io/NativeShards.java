package dev.softmetrics.job.io;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.JniLoader;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.executor.InputMetrics;
import org.apache.spark.sql.execution.vectorized.ConstantColumnVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Reads shards with Arrow's native Parquet reader ({@code arrow-dataset}: Arrow C++ over JNI)
 * instead of Spark's Java reader, for files on the local file system.
 *
 * <p>Spark still lists the inputs, resolves Hive-style partition folders and plans the files; each
 * task then reads whole files with Arrow and hands on {@link ColumnarBatch}es laid out exactly as
 * Spark's scan lays out its own (same columns, same positions, the same {@code _metadata.file_path}
 * and row index), so everything downstream is shared by both readers. The data columns are Arrow
 * vectors as the reader produced them ({@link ArrowColumnVector}), with no copy at all.
 *
 * <p>A file is read by one task from start to end (Arrow's Java API cannot read a byte range of a
 * file), so files are spread over tasks by size, largest first.
 */
public final class NativeShards {
  private NativeShards() {}

  /**
   * One file to read whole.
   *
   * @param path the file as Spark's {@code _metadata.file_path} spells it
   * @param uri the file's URI for Arrow
   * @param bytes the file's size
   * @param partitionValues the values of the Hive-style partition columns, null for a null value
   */
  public record ShardFile(String path, String uri, long bytes, String[] partitionValues)
      implements Serializable {}

  /** What fills one position of a batch. */
  public enum Kind {
    /** A column of the file. */
    DATA,
    /** A Hive-style partition column ({@code model=x/}). */
    PARTITION,
    /** {@code _metadata.file_path}. */
    FILE_PATH,
    /** The row's index in its file. */
    ROW_INDEX
  }

  /**
   * The positions of a batch, in the order of Spark's scan output.
   *
   * @param names the column names (for {@link Kind#DATA}: the file's column)
   * @param kinds what fills each position
   * @param types Spark's type of each position (the type of a null column absent from a file)
   * @param partitionIndex for {@link Kind#PARTITION}: the index in {@link
   *     ShardFile#partitionValues}
   */
  public record Slots(String[] names, Kind[] kinds, DataType[] types, int[] partitionIndex)
      implements Serializable {

    /** The names of the data columns, in slot order. */
    public String[] dataColumns() {
      List<String> data = new ArrayList<>();
      for (int i = 0; i < names.length; i++) {
        if (kinds[i] == Kind.DATA) {
          data.add(names[i]);
        }
      }
      return data.toArray(new String[0]);
    }
  }

  /**
   * Whether Arrow's native library loads on this machine; the reason when it does not.
   *
   * @return empty when it loads
   */
  public static Optional<String> unavailableReason() {
    try {
      JniLoader.get().ensureLoaded();
      return Optional.empty();
    } catch (Throwable e) {
      return Optional.of(
          "Arrow's native Parquet reader does not load on "
              + System.getProperty("os.name")
              + "/"
              + System.getProperty("os.arch")
              + ": "
              + e);
    }
  }

  /**
   * Why Arrow's reader cannot produce the columns the job expects from this file, judged from its
   * schema; empty when it can. Spark's reader converts some Parquet types that Arrow keeps apart
   * (such as {@code large_string}, which files written by pyarrow may declare).
   */
  public static Optional<String> unsupportedColumns(ShardFile file, Slots slots) {
    try (BufferAllocator allocator = new RootAllocator();
        FileSystemDatasetFactory factory =
            new FileSystemDatasetFactory(
                allocator, NativeMemoryPool.getDefault(), FileFormat.PARQUET, file.uri())) {
      return unsupported(factory.inspect(), slots, file);
    }
  }

  private static Optional<String> unsupported(Schema schema, Slots slots, ShardFile file) {
    for (int i = 0; i < slots.names.length; i++) {
      if (slots.kinds[i] != Kind.DATA) {
        continue;
      }
      Field field = find(schema, slots.names[i]);
      if (field != null && !accepts(slots.types[i], field)) {
        return Optional.of(
            String.format(
                "column %s of %s is %s in Arrow's reading, where the job takes %s",
                slots.names[i], file.path(), field.getType(), slots.types[i].simpleString()));
      }
    }
    return Optional.empty();
  }

  private static Field find(Schema schema, String name) {
    for (Field field : schema.getFields()) {
      if (field.getName().equals(name)) {
        return field;
      }
    }
    return null;
  }

  /** The Arrow types the scorer takes for each Spark type the scan plans. */
  private static boolean accepts(DataType expected, Field field) {
    ArrowType type = field.getType();
    if (expected.equals(DataTypes.StringType)) {
      return type instanceof ArrowType.Utf8;
    }
    if (expected.equals(DataTypes.IntegerType) || expected.equals(DataTypes.LongType)) {
      return type instanceof ArrowType.Int integer
          && integer.getIsSigned()
          && (integer.getBitWidth() == 32 || integer.getBitWidth() == 64);
    }
    if (expected instanceof ArrayType) {
      if (!(type instanceof ArrowType.List) || field.getChildren().size() != 1) {
        return false;
      }
      ArrowType element = field.getChildren().get(0).getType();
      return element instanceof ArrowType.FloatingPoint fp
          && (fp.getPrecision() == FloatingPointPrecision.SINGLE
              || fp.getPrecision() == FloatingPointPrecision.DOUBLE);
    }
    return false;
  }

  /**
   * Spreads files over at most {@code tasks} groups, largest file first onto the lightest group, so
   * that the tasks finish together. Deterministic for the same files.
   */
  public static List<List<ShardFile>> groups(List<ShardFile> files, int tasks) {
    int n = Math.max(1, Math.min(tasks, files.size()));
    List<ShardFile> bySize = new ArrayList<>(files);
    bySize.sort(
        Comparator.comparingLong(ShardFile::bytes).reversed().thenComparing(ShardFile::path));
    List<List<ShardFile>> groups = new ArrayList<>();
    long[] load = new long[n];
    for (int g = 0; g < n; g++) {
      groups.add(new ArrayList<>());
    }
    for (ShardFile file : bySize) {
      int lightest = 0;
      for (int g = 1; g < n; g++) {
        if (load[g] < load[lightest]) {
          lightest = g;
        }
      }
      groups.get(lightest).add(file);
      load[lightest] += Math.max(1, file.bytes());
    }
    groups.removeIf(List::isEmpty);
    return groups;
  }

  /**
   * The task side: reads the files of its group one after the other and returns their batches. A
   * batch is valid until the next one is requested.
   */
  public static final class Reader
      implements FlatMapFunction<Iterator<List<ShardFile>>, ColumnarBatch> {
    private static final long serialVersionUID = 1L;

    private final Slots slots;
    private final int batchRows;

    public Reader(Slots slots, int batchRows) {
      this.slots = slots;
      this.batchRows = batchRows;
    }

    @Override
    public Iterator<ColumnarBatch> call(Iterator<List<ShardFile>> groups) {
      List<ShardFile> files = new ArrayList<>();
      groups.forEachRemaining(files::addAll);
      FileBatches batches = new FileBatches(files, slots, batchRows);
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener(
            new TaskCompletionListener() {
              @Override
              public void onTaskCompletion(TaskContext context) {
                batches.close();
              }
            });
      }
      return batches;
    }
  }

  /** The batches of several files in turn, with the file open only while it is being read. */
  private static final class FileBatches implements Iterator<ColumnarBatch>, AutoCloseable {
    private final ArrayDeque<ShardFile> files;
    private final Slots slots;
    private final int batchRows;
    private final String[] dataColumns;
    private final BufferAllocator allocator = new RootAllocator();
    private final InputMetrics metrics;

    private ShardFile file;
    private FileSystemDatasetFactory factory;
    private Dataset dataset;
    private Scanner scanner;
    private ArrowReader reader;
    private Schema fileSchema;
    private long rowsInFile;
    private OnHeapColumnVector rowIndex;
    private int rowIndexCapacity;
    private ColumnarBatch ready;

    FileBatches(List<ShardFile> files, Slots slots, int batchRows) {
      this.files = new ArrayDeque<>(files);
      this.slots = slots;
      this.batchRows = batchRows;
      this.dataColumns = slots.dataColumns();
      TaskContext task = TaskContext.get();
      this.metrics = task == null ? null : task.taskMetrics().inputMetrics();
    }

    @Override
    public boolean hasNext() {
      while (ready == null) {
        try {
          if (reader == null) {
            if (files.isEmpty()) {
              return false;
            }
            open(files.poll());
          }
          if (reader.loadNextBatch()) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            if (root.getRowCount() > 0) {
              ready = batch(root);
            }
          } else {
            if (metrics != null) {
              metrics.incBytesRead(file.bytes());
            }
            closeFile();
          }
        } catch (java.io.IOException | RuntimeException e) {
          throw new IllegalStateException(
              "Cannot read " + (file == null ? "input" : file.path()) + ": " + e.getMessage(), e);
        }
      }
      return true;
    }

    @Override
    public ColumnarBatch next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      ColumnarBatch batch = ready;
      ready = null;
      return batch;
    }

    private void open(ShardFile next) {
      file = next;
      rowsInFile = 0;
      factory =
          new FileSystemDatasetFactory(
              allocator, NativeMemoryPool.getDefault(), FileFormat.PARQUET, file.uri());
      fileSchema = factory.inspect();
      Optional<String> unsupported = unsupported(fileSchema, slots, file);
      if (unsupported.isPresent()) {
        throw new IllegalArgumentException(
            unsupported.get()
                + " (rerun with --set read.engine=spark to read it with Spark's reader)");
      }
      String[] present =
          Arrays.stream(dataColumns)
              .filter(name -> find(fileSchema, name) != null)
              .toArray(String[]::new);
      dataset = factory.finish();
      scanner = dataset.newScan(new ScanOptions(batchRows, Optional.of(present)));
      reader = scanner.scanBatches();
    }

    private ColumnarBatch batch(VectorSchemaRoot root) {
      int rows = root.getRowCount();
      ColumnVector[] columns = new ColumnVector[slots.names.length];
      UTF8String path = null;
      for (int i = 0; i < columns.length; i++) {
        switch (slots.kinds[i]) {
          case DATA -> {
            if (find(fileSchema, slots.names[i]) != null) {
              columns[i] = new ArrowColumnVector(root.getVector(slots.names[i]));
            } else {
              columns[i] = nulls(rows, slots.types[i]);
            }
          }
          case PARTITION -> {
            String value = file.partitionValues()[slots.partitionIndex[i]];
            columns[i] =
                value == null ? nulls(rows, slots.types[i]) : constant(rows, value, slots.types[i]);
          }
          case FILE_PATH -> {
            if (path == null) {
              path = UTF8String.fromString(file.path());
            }
            ConstantColumnVector constant = new ConstantColumnVector(rows, DataTypes.StringType);
            constant.setUtf8String(path);
            columns[i] = constant;
          }
          case ROW_INDEX -> columns[i] = rowIndex(rows);
        }
      }
      rowsInFile += rows;
      if (metrics != null) {
        metrics.incRecordsRead(rows);
      }
      return new ColumnarBatch(columns, rows);
    }

    private OnHeapColumnVector rowIndex(int rows) {
      if (rowIndex == null || rowIndexCapacity < rows) {
        if (rowIndex != null) {
          rowIndex.close();
        }
        rowIndexCapacity = Math.max(rows, batchRows);
        rowIndex = new OnHeapColumnVector(rowIndexCapacity, DataTypes.LongType);
      }
      for (int r = 0; r < rows; r++) {
        rowIndex.putLong(r, rowsInFile + r);
      }
      return rowIndex;
    }

    private static ColumnVector nulls(int rows, DataType type) {
      ConstantColumnVector constant = new ConstantColumnVector(rows, type);
      constant.setNull();
      return constant;
    }

    private static ColumnVector constant(int rows, String value, DataType type) {
      if (!type.equals(DataTypes.StringType)) {
        throw new IllegalStateException(
            "Partition column of type " + type.simpleString() + " (the job reads them as strings)");
      }
      ConstantColumnVector constant = new ConstantColumnVector(rows, type);
      constant.setUtf8String(UTF8String.fromString(value));
      return constant;
    }

    private void closeFile() {
      try {
        AutoCloseables.close(reader, scanner, dataset, factory);
      } catch (Exception e) {
        throw new IllegalStateException("Cannot close " + file.path() + ": " + e.getMessage(), e);
      } finally {
        reader = null;
        scanner = null;
        dataset = null;
        factory = null;
      }
    }

    @Override
    public void close() {
      ready = null;
      try {
        if (reader != null || factory != null) {
          closeFile();
        }
      } finally {
        if (rowIndex != null) {
          rowIndex.close();
        }
        allocator.close();
      }
    }
  }
}
