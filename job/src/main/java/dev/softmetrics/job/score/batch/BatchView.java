package dev.softmetrics.job.score.batch;

import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.io.ArrowViews;
import dev.softmetrics.job.io.BinaryColumnReader;
import dev.softmetrics.job.io.ListColumnReader;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.text.GivenCountsKernel.Counts;
import dev.softmetrics.udfs.text.TextCountKernel;
import dev.softmetrics.udfs.text.Utf8Validation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One batch as both layouts see it before their own kernels: the labels, the file and row of each
 * row, the text and the counts (counted from the text, else given), and the status vector in which
 * every check records a row's first reason for rejection. Owns the Arrow vectors it opens (closed
 * with the view) and opens a layout's columns for it ({@link #floatingList} and the like).
 *
 * <p>Order of the checks, so that the first reason wins as the kernels expect: {@link
 * #checkLabels}, then the layout's kernels, then {@link #checkText}.
 */
final class BatchView implements AutoCloseable {
  private static final UTF8String ROLL_UP = UTF8String.fromString(CorpusRow.ALL_DOMAINS);

  private final ColumnarBatch batch;
  private final ScanColumns columns;
  private final ColumnNames names;
  private final BufferAllocator allocator;
  private final int rows;
  private final ColumnVector[] labels;

  /**
   * Per label column after the sequence id, the dictionary ids Spark's reader keeps when the
   * batch's values came from Parquet dictionary pages (labels repeat, so writers encode them so);
   * else null.
   */
  private final WritableColumnVector[] labelIds;

  /** Per label column with {@link #labelIds}, each id's value, copied out once per batch. */
  private final UTF8String[][] labelById;

  private final ColumnVector file;
  private final ColumnVector rowIndex;
  private final ColumnVector lineProblem;
  private final List<ValueVector> owned = new ArrayList<>();
  private final List<ColumnVector> ownedColumns = new ArrayList<>();
  private VarCharVector text;
  private Counts fromText;
  private GivenCounts given;
  private IntVector status;
  private UTF8String sourceBytes;
  private String source;

  private BatchView(
      ColumnarBatch batch, ScanColumns columns, ColumnNames names, BufferAllocator allocator) {
    this.batch = batch;
    this.columns = columns;
    this.names = names;
    this.allocator = allocator;
    this.rows = batch.numRows();
    int[] labelColumns = columns.labels();
    this.labels = new ColumnVector[labelColumns.length];
    this.labelIds = new WritableColumnVector[labelColumns.length];
    this.labelById = new UTF8String[labelColumns.length][];
    for (int l = 0; l < labels.length; l++) {
      ColumnVector label = batch.column(labelColumns[l]);
      labels[l] = DecimalLabels.isInteger(label.dataType()) ? ownedText(label) : label;
      // Not the sequence id: unique per row, it gains nothing from one copy per id.
      if (l > 0 && labels[l] instanceof WritableColumnVector w && w.hasDictionary()) {
        labelIds[l] = w.getDictionaryIds();
        labelById[l] = new UTF8String[16];
      }
    }
    this.file = batch.column(columns.filePath());
    this.rowIndex = batch.column(columns.rowIndex());
    this.lineProblem =
        columns.lineProblem() == ScanColumns.ABSENT ? null : batch.column(columns.lineProblem());
  }

  /** Views {@code batch}; the caller closes the view before the reader reuses the batch. */
  static BatchView open(
      ColumnarBatch batch, ScanColumns columns, ColumnNames names, BufferAllocator allocator) {
    BatchView view = new BatchView(batch, columns, names, allocator);
    try {
      view.text = view.utf8(columns.text(), names.text());
      view.fromText =
          new Counts(
              view.own(new BigIntVector("bytes", allocator)),
              view.own(new BigIntVector("chars", allocator)),
              view.own(new BigIntVector("words", allocator)));
      view.given = GivenCounts.of(batch, columns, names, view.rows, allocator);
      view.status = view.own(new IntVector("status", allocator));
      view.status.allocateNew(view.rows);
      view.status.setValueCount(view.rows);
      return view;
    } catch (RuntimeException e) {
      view.close();
      throw e;
    }
  }

  int rows() {
    return rows;
  }

  ColumnarBatch batch() {
    return batch;
  }

  ColumnNames names() {
    return names;
  }

  /** The task's allocator, for the vectors a layout adds ({@link #own}). */
  BufferAllocator allocator() {
    return allocator;
  }

  /** Each row's {@link Rejection#SCORED} or the id of its first reason. */
  IntVector status() {
    return status;
  }

  /** sequence_id, model, tokenizer, domain, as strings (integer labels in decimal). */
  ColumnVector[] labels() {
    return labels;
  }

  /**
   * Marks each row scored, or rejected for a malformed JSON line (whose columns are all null), a
   * missing or a reserved label.
   */
  void checkLabels() {
    for (int row = 0; row < rows; row++) {
      status.set(row, Rejection.SCORED);
      if (lineProblem != null && !lineProblem.isNullAt(row)) {
        status.set(row, Rejection.MALFORMED_JSON_LINE.id());
      } else if (missingLabel(row) >= 0) {
        status.set(row, Rejection.MISSING_LABEL.id());
      } else if (reservedLabel(row) >= 0) {
        status.set(row, Rejection.RESERVED_LABEL.id());
      }
    }
  }

  /**
   * Counts the text and rejects the rows whose text is not UTF-8, then the rows whose given counts
   * no text can have or disagree with the text.
   */
  void checkText() {
    if (text != null) {
      TextCountKernel.apply(text, fromText.bytes(), fromText.chars(), fromText.words());
      Utf8Validation.apply(text, status);
    }
    if (given != null) {
      given.check(text == null ? null : fromText, status);
    }
  }

  /**
   * Moves to the file of {@code row}, as {@code _metadata.file_path} spells it, and returns it.
   * Rows come grouped by file: the same String is returned until the file changes.
   */
  String sourceOf(int row) {
    UTF8String rowSource = file.getUTF8String(row);
    if (sourceBytes == null || !sourceBytes.equals(rowSource)) {
      sourceBytes = rowSource.copy();
      source = sourceBytes.toString();
    }
    return source;
  }

  /** The file last returned by {@link #sourceOf}. */
  String source() {
    return source;
  }

  /** The bytes of {@link #source}, copied out of the batch. */
  UTF8String sourceBytes() {
    return sourceBytes;
  }

  /** The row's index in its file (of JSON Lines: the line's 0-based index). */
  long sourceRow(int row) {
    return rowIndex.getLong(row);
  }

  /**
   * Where a row of the current file is, for messages: {@code "<file> row <n>"}, or for JSON Lines
   * {@code "<file> line <n>"} with the 1-based line number an editor shows.
   */
  String where(long sourceRow) {
    return lineProblem == null ? source + " row " + sourceRow : source + " line " + (sourceRow + 1);
  }

  /** The UTF-8 bytes of the row's text, from the text or num_bytes; -1 when it has neither. */
  long bytes(int row) {
    return count(fromText.bytes(), columns.numBytes(), row);
  }

  /** Code points, as {@link #bytes}. */
  long chars(int row) {
    return count(fromText.chars(), columns.numChars(), row);
  }

  /** Words, as {@link #bytes}. */
  long words(int row) {
    return count(fromText.words(), columns.numWords(), row);
  }

  /**
   * Label {@code label}'s value in {@code row}, or null, valid after the batch: for a column of
   * dictionary ids the one copy of that id's value (copied the first time it is asked for); else
   * {@code last} when the row's value equals it (labels repeat from row to row), else a copy.
   */
  UTF8String keptLabel(int label, int row, UTF8String last) {
    ColumnVector column = labels[label];
    if (column.isNullAt(row)) {
      return null;
    }
    if (labelIds[label] != null) {
      return byId(label, row);
    }
    UTF8String value = column.getUTF8String(row);
    return last != null && last.equals(value) ? last : value.copy();
  }

  /** A label's value from its dictionary id: the id's one copy, made when first needed. */
  private UTF8String byId(int label, int row) {
    int id = labelIds[label].getDictId(row);
    UTF8String[] values = labelById[label];
    if (id >= values.length) {
      values = Arrays.copyOf(values, Math.max(id + 1, values.length * 2));
      labelById[label] = values;
    }
    UTF8String value = values[id];
    if (value == null) {
      value = labels[label].getUTF8String(row).copy();
      values[id] = value;
    }
    return value;
  }

  /** A label's value in a non-null row, without a copy where the column has dictionary ids. */
  private UTF8String labelValue(int label, int row) {
    return labelIds[label] != null ? byId(label, row) : labels[label].getUTF8String(row);
  }

  /** A label as a String, or null. */
  String labelText(int label, int row) {
    return labels[label].isNullAt(row) ? null : labels[label].getUTF8String(row).toString();
  }

  /**
   * The message of a row rejected for a reason both layouts check: a label, the text, the counts.
   *
   * @throws IllegalStateException for any other reason, or when the row breaks no rule
   */
  String message(Rejection rejection, int row, String where) {
    return switch (rejection) {
      case MISSING_LABEL ->
          RejectionMessages.missingLabel(names.labels().get(missingLabel(row)), where);
      case RESERVED_LABEL ->
          RejectionMessages.reservedLabel(names.labels().get(reservedLabel(row)), where);
      case TEXT_COUNT_MISMATCH -> given.describe(fromText, row, where);
      case INVALID_GIVEN_COUNT -> given.describeInvalid(row, where);
      case INVALID_UTF8 -> invalidUtf8(row, where);
      case MALFORMED_JSON_LINE ->
          RejectionMessages.malformedJsonLine(lineProblem.getUTF8String(row).toString(), where);
      default -> throw new IllegalStateException("Rejection " + rejection + " is not the view's");
    };
  }

  /** A list column of floating-point values, or null when the input lacks it. */
  ListVector floatingList(int column, String name) {
    return column == ScanColumns.ABSENT
        ? null
        : own(ArrowViews.floatingList(writable(column), rows, name, allocator));
  }

  /** The rows' lists of a column that {@code reader} reads from the files' pages. */
  ListVector pageList(ListColumnReader reader, String name) {
    return reader.read(file, rowIndex, rows, name, allocator);
  }

  /** The rows' values of a binary column that {@code reader} reads from the files' pages. */
  VarBinaryVector pageBinary(BinaryColumnReader reader, String name) {
    return reader.read(file, rowIndex, rows, name, allocator);
  }

  /** A list column of lists of floating-point values, or null when the input lacks it. */
  ListVector nestedFloatingList(int column, String name) {
    return column == ScanColumns.ABSENT
        ? null
        : own(ArrowViews.nestedFloatingList(writable(column), rows, name, allocator));
  }

  /** A string column, or null when the input lacks it. */
  VarCharVector utf8(int column, String name) {
    return column == ScanColumns.ABSENT
        ? null
        : own(ArrowViews.utf8(writable(column), rows, name, allocator));
  }

  /** An int or long column as longs, or null when the input lacks it. */
  BigIntVector longs(int column, String name) {
    return column == ScanColumns.ABSENT
        ? null
        : own(longs(batch.column(column), rows, name, allocator));
  }

  /** A vector the view closes. */
  <V extends ValueVector> V own(V vector) {
    owned.add(vector);
    return vector;
  }

  WritableColumnVector writable(int column) {
    return (WritableColumnVector) batch.column(column);
  }

  /** An int or long column copied into a {@link BigIntVector} (one value per row). */
  static BigIntVector longs(ColumnVector column, int rows, String name, BufferAllocator allocator) {
    BigIntVector out = new BigIntVector(name, allocator);
    out.allocateNew(rows);
    boolean ints = column.dataType() instanceof IntegerType;
    for (int row = 0; row < rows; row++) {
      if (column.isNullAt(row)) {
        out.setNull(row);
      } else {
        out.set(row, ints ? column.getInt(row) : column.getLong(row));
      }
    }
    out.setValueCount(rows);
    return out;
  }

  @Override
  public void close() {
    if (given != null) {
      given.close();
    }
    for (int v = owned.size() - 1; v >= 0; v--) {
      owned.get(v).close();
    }
    ownedColumns.forEach(ColumnVector::close);
  }

  /** An integer label column as decimal strings, closed with the view. */
  private ColumnVector ownedText(ColumnVector label) {
    ColumnVector text = DecimalLabels.of(label, rows);
    ownedColumns.add(text);
    return text;
  }

  /** The first label that is null or empty, or -1. */
  private int missingLabel(int row) {
    for (int l = 0; l < labels.length; l++) {
      if (labels[l].isNullAt(row) || labelValue(l, row).numBytes() == 0) {
        return l;
      }
    }
    return -1;
  }

  /** The first of model, tokenizer and domain whose value is the roll-up's, or -1. */
  private int reservedLabel(int row) {
    for (int l = 1; l < labels.length; l++) {
      if (!labels[l].isNullAt(row) && labelValue(l, row).equals(ROLL_UP)) {
        return l;
      }
    }
    return -1;
  }

  /** A count from the text when the row has text, else from the count column, else -1. */
  private long count(BigIntVector counted, int column, int row) {
    if (text != null && !counted.isNull(row)) {
      return counted.get(row);
    }
    if (column == ScanColumns.ABSENT) {
      return -1;
    }
    ColumnVector givenColumn = batch.column(column);
    if (givenColumn.isNullAt(row)) {
      return -1;
    }
    return givenColumn.dataType() instanceof IntegerType
        ? givenColumn.getInt(row)
        : givenColumn.getLong(row);
  }

  private String invalidUtf8(int row, String where) {
    long offset = Utf8Validation.firstInvalidByte(text, row);
    if (offset == Utf8Validation.VALID) {
      throw new IllegalStateException("Row " + where + " was rejected, but its text is UTF-8");
    }
    return RejectionMessages.invalidUtf8(names.text(), text.get(row), offset, where);
  }
}
