package dev.softmetrics.job.output;

import dev.softmetrics.job.tables.SequenceRow;
import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetOutputFormat;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One Parquet file of {@code sequences/} rows, written by a scoring task straight from the values
 * of each {@link SequenceRow} into Parquet's column writers: no {@code InternalRow}, no record
 * consumer, no projection. The file is the one Spark's Parquet writer would write for the same
 * rows: same schema, footer metadata, codec and dictionary choices, and these settings of the
 * Hadoop configuration as Spark's writer reads them: row-group, page and dictionary-page size,
 * dictionary on or off, writer version, page checksums, row-group padding (others keep Parquet's
 * defaults). {@code SequenceFilesTest} reads both back and compares them.
 *
 * <p>The conversion of each value is {@link SequenceRow#toInternalRow}'s: a count below 0, a vocab
 * size of 0 and a NaN soft sum are nulls; a soft sum is stored as its mean per token.
 */
final class SequenceFileWriter implements AutoCloseable {
  private static final SoftColumn[] SOFT_COLUMNS = SoftColumn.values();

  /** Rows between two checks of the buffered size against the row-group size. */
  private static final int SIZE_CHECK_ROWS = 1024;

  private final ParquetFileWriter file;
  private final MessageType schema;
  private final ParquetProperties properties;
  private final CodecFactory codecs;
  private final CompressionCodecName codec;
  private final long rowGroupBytes;
  private final Map<String, String> metadata;
  private final int extras;
  private final ColumnDescriptor[] descriptors;
  private final ColumnWriter[] columns;

  /** Per column, the definition level of a present value (of a list element in a list column). */
  private final int[] present;

  private ColumnChunkPageWriteStore pages;
  private ColumnWriteStore store;
  private long groupRows;
  private long rows;
  private boolean closed;

  /**
   * Creates {@code path} (failing if it exists) for rows with {@code extras} extra labels.
   *
   * @param schema the Parquet schema Spark derives from the table's schema
   * @param metadata the footer's key-value metadata (Spark's schema and version)
   * @param noDictionary Parquet column paths written without a dictionary
   */
  SequenceFileWriter(
      Path path,
      Configuration hadoop,
      MessageType schema,
      Map<String, String> metadata,
      CompressionCodecName codec,
      List<String> noDictionary,
      int extras)
      throws IOException {
    this.schema = schema;
    this.metadata = metadata;
    this.codec = codec;
    this.extras = extras;
    ParquetProperties.Builder builder =
        ParquetProperties.builder()
            .withPageSize(ParquetOutputFormat.getPageSize(hadoop))
            .withDictionaryPageSize(ParquetOutputFormat.getDictionaryPageSize(hadoop))
            .withDictionaryEncoding(ParquetOutputFormat.getEnableDictionary(hadoop))
            .withWriterVersion(ParquetOutputFormat.getWriterVersion(hadoop))
            .withPageWriteChecksumEnabled(ParquetOutputFormat.getPageWriteChecksumEnabled(hadoop));
    for (String column : noDictionary) {
      builder = builder.withDictionaryEncoding(column, false);
    }
    this.properties = builder.build();
    this.rowGroupBytes = ParquetOutputFormat.getLongBlockSize(hadoop);
    this.file =
        new ParquetFileWriter(
            new BufferedOutputFile(HadoopOutputFile.fromPath(path, hadoop)),
            schema,
            ParquetFileWriter.Mode.CREATE,
            rowGroupBytes,
            hadoop.getInt(
                ParquetOutputFormat.MAX_PADDING_BYTES, ParquetWriter.MAX_PADDING_SIZE_DEFAULT),
            properties.getColumnIndexTruncateLength(),
            properties.getStatisticsTruncateLength(),
            properties.getPageWriteChecksumEnabled());
    this.codecs = new CodecFactory(hadoop, properties.getPageSizeThreshold());
    this.descriptors = schema.getColumns().toArray(new ColumnDescriptor[0]);
    this.columns = new ColumnWriter[descriptors.length];
    this.present = new int[descriptors.length];
    for (int k = 0; k < descriptors.length; k++) {
      present[k] = descriptors[k].getMaxDefinitionLevel();
    }
    if (descriptors.length != SequenceRow.WIDTH + extras) {
      throw new IllegalArgumentException(
          "A schema of " + (SequenceRow.WIDTH + extras) + " columns expected, not " + schema);
    }
    file.start();
    openGroup();
  }

  private void openGroup() {
    pages =
        new ColumnChunkPageWriteStore(
            codecs.getCompressor(codec),
            schema,
            properties.getAllocator(),
            properties.getColumnIndexTruncateLength(),
            properties.getPageWriteChecksumEnabled());
    store = properties.newColumnWriteStore(schema, pages, pages);
    for (int k = 0; k < descriptors.length; k++) {
      columns[k] = store.getColumnWriter(descriptors[k]);
    }
    groupRows = 0;
  }

  /** Writes one row; {@code row}'s arrays are read now, so the caller may reuse them after. */
  void write(SequenceRow row) throws IOException {
    text(SequenceRow.RUN_ID, row.runId());
    text(SequenceRow.SEQUENCE_ID, row.sequenceId());
    text(SequenceRow.MODEL, row.model());
    text(SequenceRow.TOKENIZER, row.tokenizer());
    UTF8String[] labels = row.extraLabels();
    for (int i = 0; i < extras; i++) {
      text(SequenceRow.TOKENIZER + 1 + i, labels[i]);
    }
    // Every field is one leaf column; those after the tokenizer move right by the extra labels.
    int shift = extras;
    text(SequenceRow.DOMAIN + shift, row.domain());
    long tokens = row.tokens();
    longValue(SequenceRow.TOKENS + shift, tokens);
    doubleValue(SequenceRow.NLL_SUM + shift, row.nllSum());
    doubleValue(SequenceRow.MEAN_NLL + shift, row.meanNll());
    doubleValue(SequenceRow.PPL + shift, row.ppl());
    longValue(SequenceRow.BYTES + shift, row.bytes());
    countOrNull(SequenceRow.CHARS + shift, row.chars());
    countOrNull(SequenceRow.WORDS + shift, row.words());
    double[] sums = row.softSums();
    for (SoftColumn c : SOFT_COLUMNS) {
      double sum = sums[c.ordinal()];
      if (Double.isNaN(sum)) {
        nullValue(SequenceRow.soft(c) + shift);
      } else {
        doubleValue(SequenceRow.soft(c) + shift, SoftColumn.meanPerToken(sum, tokens));
      }
    }
    if (row.vocabSize() == 0) {
      nullValue(SequenceRow.VOCAB_SIZE + shift);
    } else {
      longValue(SequenceRow.VOCAB_SIZE + shift, row.vocabSize());
    }
    text(SequenceRow.SOURCE_FILE + shift, row.sourceFile());
    int positionTokens = SequenceRow.POSITION_TOKENS + shift;
    int positionNll = SequenceRow.POSITION_NLL_SUM + shift;
    int positionEntropy = SequenceRow.POSITION_ENTROPY_SUM + shift;
    PositionBuckets.Sums positions = row.positions();
    if (positions == null) {
      nullValue(positionTokens);
      nullValue(positionNll);
      nullValue(positionEntropy);
    } else {
      int buckets = positions.buckets();
      ColumnWriter tokensList = columns[positionTokens];
      ColumnWriter nllList = columns[positionNll];
      int listDefinition = present[positionTokens];
      if (buckets == 0) {
        // An empty list: present, with no element (definition level of the repeated group - 1).
        tokensList.writeNull(0, listDefinition - 1);
        nllList.writeNull(0, listDefinition - 1);
      }
      for (int k = 0; k < buckets; k++) {
        tokensList.write(positions.tokens(k), k == 0 ? 0 : 1, listDefinition);
      }
      for (int k = 0; k < buckets; k++) {
        nllList.write(positions.nll(k), k == 0 ? 0 : 1, listDefinition);
      }
      if (!positions.hasEntropy()) {
        nullValue(positionEntropy);
      } else if (buckets == 0) {
        columns[positionEntropy].writeNull(0, listDefinition - 1);
      } else {
        ColumnWriter entropyList = columns[positionEntropy];
        for (int k = 0; k < buckets; k++) {
          entropyList.write(positions.entropy(k), k == 0 ? 0 : 1, listDefinition);
        }
      }
    }
    store.endRecord();
    rows++;
    groupRows++;
    if (groupRows % SIZE_CHECK_ROWS == 0 && store.getBufferedSize() >= rowGroupBytes) {
      flushGroup();
      openGroup();
    }
  }

  private void text(int column, UTF8String value) {
    if (value == null) {
      nullValue(column);
    } else {
      columns[column].write(Binary.fromReusedByteArray(value.getBytes()), 0, present[column]);
    }
  }

  private void longValue(int column, long value) {
    columns[column].write(value, 0, present[column]);
  }

  private void doubleValue(int column, double value) {
    columns[column].write(value, 0, present[column]);
  }

  /** A count, or null for a value below 0 (a count the input does not give). */
  private void countOrNull(int column, long value) {
    if (value < 0) {
      nullValue(column);
    } else {
      longValue(column, value);
    }
  }

  private void nullValue(int column) {
    if (present[column] == 0) {
      throw new IllegalArgumentException(
          "A null in the required column " + descriptors[column] + " of sequences/");
    }
    columns[column].writeNull(0, 0);
  }

  private void flushGroup() throws IOException {
    if (groupRows == 0) {
      return;
    }
    store.flush();
    file.startBlock(groupRows);
    pages.flushToFileWriter(file);
    file.endBlock();
    store.close();
    pages.close();
  }

  /** The rows written so far. */
  long rows() {
    return rows;
  }

  /** Writes the last row group and the footer. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      flushGroup();
      file.end(metadata);
    } finally {
      codecs.release();
    }
  }

  /** Closes the file without a footer, after a failure: what it holds is never read. */
  void abandon() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      store.close();
      pages.close();
      codecs.release();
      file.close();
    } catch (IOException | RuntimeException e) {
      // The task's own failure is what the run reports.
    }
  }
}
