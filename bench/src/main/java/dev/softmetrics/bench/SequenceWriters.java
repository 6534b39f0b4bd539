package dev.softmetrics.bench;

import dev.softmetrics.job.tables.SequenceRow;
import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.job.tables.Tables;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.parquet.ParquetWriteSupport;
import org.apache.spark.sql.execution.datasources.parquet.SparkToParquetSchemaConverter;
import org.apache.spark.sql.internal.SQLConf$;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A prototype of the speed issue's next step, measured: one shard's worth of {@code sequences/}
 * rows (the bench corpus's shape: 120,000 sequences, 25 columns, 10 position buckets) written to
 * one Parquet file by Spark's row writer ({@code ParquetWriteSupport}, what the job's write uses,
 * here without a Spark job around it) and by Parquet's column writers fed straight from primitive
 * arrays (no {@code InternalRow}, no record consumer), alternated in one JVM; prints the warm
 * medians and checks with DuckDB that both files hold the same rows.
 *
 * <p>Options: {@code --rows N} (default 120,000), {@code --iterations N} (default 7), {@code --work
 * DIR} (default bench/work).
 */
final class SequenceWriters {
  private SequenceWriters() {}

  public static void main(String[] args) throws IOException, SQLException {
    int rows = 120_000;
    int iterations = 7;
    String work = "bench/work";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--work" -> work = args[++i];
        default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
      }
    }
    Path dir = Path.of(work, "sequence-writers").toAbsolutePath();
    Files.createDirectories(dir);
    Columns data = Columns.generate(rows);
    CURRENT = data;
    StructType schema = Tables.SEQUENCES.schema();
    Configuration conf = new Configuration();
    // The settings Spark's Parquet write passes to its schema converter and write support, at
    // their defaults (ParquetFileFormat.prepareWrite sets them in a Spark job).
    SQLConf$ sql = SQLConf$.MODULE$;
    for (var entry :
        List.of(
            sql.PARQUET_WRITE_LEGACY_FORMAT(),
            sql.PARQUET_OUTPUT_TIMESTAMP_TYPE(),
            sql.PARQUET_FIELD_ID_WRITE_ENABLED(),
            sql.PARQUET_ANNOTATE_VARIANT_LOGICAL_TYPE(),
            sql.PARQUET_REBASE_MODE_IN_WRITE(),
            sql.PARQUET_INT96_REBASE_MODE_IN_WRITE())) {
      conf.set(entry.key(), entry.defaultValueString());
    }
    MessageType parquet = new SparkToParquetSchemaConverter(conf).convert(schema);
    List<Double> spark = new ArrayList<>();
    List<Double> columns = new ArrayList<>();
    List<Double> consumer = new ArrayList<>();
    Path consumerFile = dir.resolve("consumer.parquet");
    Path sparkFile = dir.resolve("spark.parquet");
    Path columnFile = dir.resolve("columns.parquet");
    for (int it = 0; it < iterations + 1; it++) {
      long t0 = System.nanoTime();
      writeWithSpark(data, schema, conf, sparkFile);
      long t1 = System.nanoTime();
      writeWithColumns(data, parquet, conf, columnFile);
      long t2 = System.nanoTime();
      writeWithConsumer(data, parquet, conf, consumerFile);
      long t3 = System.nanoTime();
      System.out.printf(
          Locale.ROOT,
          "iteration %d%s: Spark's row writer %.3f s, column writers %.3f s, record consumer %.3f s%n",
          it,
          it == 0 ? " (cold)" : "",
          (t1 - t0) / 1e9,
          (t2 - t1) / 1e9,
          (t3 - t2) / 1e9);
      if (it > 0) {
        spark.add((t1 - t0) / 1e9);
        columns.add((t2 - t1) / 1e9);
        consumer.add((t3 - t2) / 1e9);
      }
    }
    double s = BenchSteps.median(spark);
    double c = BenchSteps.median(columns);
    System.out.printf(
        Locale.ROOT,
        "warm medians over %d iterations, %,d rows: Spark's row writer %.3f s, column writers %.3f s"
            + " (%.2fx)%n",
        iterations,
        rows,
        s,
        c,
        s / c);
    System.out.printf(Locale.ROOT, "record consumer: %.3f s%n", BenchSteps.median(consumer));
    System.out.println("same rows in both files: " + sameRows(sparkFile, columnFile));
    System.out.println("same rows in both files: " + sameRows(sparkFile, consumerFile));
  }

  /**
   * The Parquet columns written without a dictionary, as the job's writer has them ({@code
   * OutputTables}: values unique per row or per element).
   */
  private static final List<String> NO_DICTIONARY =
      List.of(
          "sequence_id",
          "nll_sum",
          "mean_nll",
          "ppl",
          "position_nll_sum.list.element",
          "position_entropy_sum.list.element");

  /** Spark's row writer over the rows the job builds ({@link SequenceRow#toInternalRow}). */
  private static void writeWithSpark(Columns data, StructType schema, Configuration conf, Path file)
      throws IOException {
    Files.deleteIfExists(file);
    Configuration c = new Configuration(conf);
    ParquetWriteSupport.setSchema(schema, c);
    SparkWriterBuilder builder =
        new SparkWriterBuilder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(c)
            .withCompressionCodec(CompressionCodecName.SNAPPY);
    for (String column : NO_DICTIONARY) {
      builder = builder.withDictionaryEncoding(column, false);
    }
    try (ParquetWriter<InternalRow> writer = builder.build()) {
      for (int i = 0; i < data.rows; i++) {
        writer.write(data.row(i));
      }
    }
  }

  private static final class SparkWriterBuilder
      extends ParquetWriter.Builder<InternalRow, SparkWriterBuilder> {
    SparkWriterBuilder(org.apache.hadoop.fs.Path path) {
      super(path);
    }

    @Override
    protected SparkWriterBuilder self() {
      return this;
    }

    @Override
    protected WriteSupport<InternalRow> getWriteSupport(Configuration conf) {
      return new ParquetWriteSupport();
    }
  }

  /**
   * Parquet's column writers, fed value by value from primitive arrays: what the job's scorer holds
   * before it builds a row. Same schema, codec and dictionary choices as the Spark writer above.
   */
  private static void writeWithColumns(
      Columns data, MessageType parquet, Configuration conf, Path file) throws IOException {
    Files.deleteIfExists(file);
    ParquetProperties.Builder builder = ParquetProperties.builder();
    for (String column : NO_DICTIONARY) {
      builder = builder.withDictionaryEncoding(column, false);
    }
    ParquetProperties props = builder.build();
    ParquetFileWriter fileWriter =
        new ParquetFileWriter(
            HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf),
            parquet,
            ParquetFileWriter.Mode.CREATE,
            ParquetWriter.DEFAULT_BLOCK_SIZE,
            ParquetWriter.MAX_PADDING_SIZE_DEFAULT);
    fileWriter.start();
    CodecFactory codecs = new CodecFactory(conf, props.getPageSizeThreshold());
    ColumnChunkPageWriteStore pages =
        new ColumnChunkPageWriteStore(
            codecs.getCompressor(CompressionCodecName.SNAPPY),
            parquet,
            HeapByteBufferAllocator.getInstance(),
            props.getColumnIndexTruncateLength());
    ColumnWriteStore store = props.newColumnWriteStore(parquet, pages, pages);
    List<ColumnDescriptor> descriptors = parquet.getColumns();
    ColumnWriter[] w = new ColumnWriter[descriptors.size()];
    for (int k = 0; k < w.length; k++) {
      w[k] = store.getColumnWriter(descriptors.get(k));
    }
    int softFrom = SequenceRow.WORDS + 1;
    for (int i = 0; i < data.rows; i++) {
      w[SequenceRow.RUN_ID].write(data.runId, 0, 0);
      w[SequenceRow.SEQUENCE_ID].write(data.ids[i], 0, 0);
      w[SequenceRow.MODEL].write(data.models[i % 2], 0, 0);
      w[SequenceRow.TOKENIZER].write(data.tokenizer, 0, 0);
      w[SequenceRow.DOMAIN].write(data.domains[(i / 2) % 4], 0, 0);
      w[SequenceRow.TOKENS].write(data.tokens[i], 0, 0);
      w[SequenceRow.NLL_SUM].write(data.nll[i], 0, 0);
      w[SequenceRow.MEAN_NLL].write(data.nll[i] / data.tokens[i], 0, 0);
      w[SequenceRow.PPL].write(Math.exp(data.nll[i] / data.tokens[i]), 0, 0);
      w[SequenceRow.BYTES].write(data.bytes[i], 0, 0);
      w[SequenceRow.CHARS].write(data.chars[i], 0, 1);
      w[SequenceRow.WORDS].write(data.words[i], 0, 1);
      for (int c = 0; c < SoftColumn.COUNT; c++) {
        w[softFrom + c].writeNull(0, 0);
      }
      w[SequenceRow.VOCAB_SIZE].writeNull(0, 0);
      w[SequenceRow.SOURCE_FILE].write(data.sourceFile, 0, 0);
      // A list: optional group, repeated group, required element; max definition level 2.
      for (int k = 0; k < Columns.BUCKETS; k++) {
        w[SequenceRow.POSITION_TOKENS].write(data.bucketTokens[k], k == 0 ? 0 : 1, 2);
      }
      for (int k = 0; k < Columns.BUCKETS; k++) {
        w[SequenceRow.POSITION_NLL_SUM].write(data.bucketNll[i][k], k == 0 ? 0 : 1, 2);
      }
      w[SequenceRow.POSITION_ENTROPY_SUM].writeNull(0, 0);
      store.endRecord();
    }
    store.flush();
    fileWriter.startBlock(data.rows);
    pages.flushToFileWriter(fileWriter);
    fileWriter.endBlock();
    store.close();
    pages.close();
    codecs.release();
    fileWriter.end(Map.of());
  }

  private static void writeWithConsumer(
      Columns data, MessageType parquet, Configuration conf, Path file) throws IOException {
    Files.deleteIfExists(file);
    ConsumerBuilder builder =
        new ConsumerBuilder(new org.apache.hadoop.fs.Path(file.toUri()), parquet)
            .withConf(conf)
            .withCompressionCodec(CompressionCodecName.SNAPPY);
    for (String column : NO_DICTIONARY) {
      builder = builder.withDictionaryEncoding(column, false);
    }
    try (ParquetWriter<Integer> writer = builder.build()) {
      for (int i = 0; i < data.rows; i++) {
        writer.write(i);
      }
    }
  }

  private static final class ConsumerBuilder
      extends ParquetWriter.Builder<Integer, ConsumerBuilder> {
    private final MessageType parquet;
    private Columns data;

    ConsumerBuilder(org.apache.hadoop.fs.Path path, MessageType parquet) {
      super(path);
      this.parquet = parquet;
    }

    @Override
    protected ConsumerBuilder self() {
      return this;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
      return new WriteSupport<Integer>() {
        org.apache.parquet.io.api.RecordConsumer rc;

        @Override
        public WriteContext init(Configuration configuration) {
          return new WriteContext(parquet, Map.of());
        }

        @Override
        public void prepareForWrite(org.apache.parquet.io.api.RecordConsumer recordConsumer) {
          rc = recordConsumer;
        }

        @Override
        public void write(Integer boxed) {
          int i = boxed;
          Columns d = CURRENT;
          rc.startMessage();
          bin(SequenceRow.RUN_ID, "run_id", d.runId);
          bin(SequenceRow.SEQUENCE_ID, "sequence_id", d.ids[i]);
          bin(SequenceRow.MODEL, "model", d.models[i % 2]);
          bin(SequenceRow.TOKENIZER, "tokenizer", d.tokenizer);
          bin(SequenceRow.DOMAIN, "domain", d.domains[(i / 2) % 4]);
          lng(SequenceRow.TOKENS, "tokens", d.tokens[i]);
          dbl(SequenceRow.NLL_SUM, "nll_sum", d.nll[i]);
          dbl(SequenceRow.MEAN_NLL, "mean_nll", d.nll[i] / d.tokens[i]);
          dbl(SequenceRow.PPL, "ppl", Math.exp(d.nll[i] / d.tokens[i]));
          lng(SequenceRow.BYTES, "bytes", d.bytes[i]);
          lng(SequenceRow.CHARS, "chars", d.chars[i]);
          lng(SequenceRow.WORDS, "words", d.words[i]);
          bin(SequenceRow.SOURCE_FILE, parquet.getFieldName(SequenceRow.SOURCE_FILE), d.sourceFile);
          list(SequenceRow.POSITION_TOKENS, d.bucketTokens, null);
          list(SequenceRow.POSITION_NLL_SUM, null, d.bucketNll[i]);
          rc.endMessage();
        }

        private void bin(int index, String name, Binary v) {
          rc.startField(name, index);
          rc.addBinary(v);
          rc.endField(name, index);
        }

        private void lng(int index, String name, long v) {
          rc.startField(name, index);
          rc.addLong(v);
          rc.endField(name, index);
        }

        private void dbl(int index, String name, double v) {
          rc.startField(name, index);
          rc.addDouble(v);
          rc.endField(name, index);
        }

        private void list(int index, long[] longs, double[] doubles) {
          String name = parquet.getFieldName(index);
          rc.startField(name, index);
          rc.startGroup();
          rc.startField("list", 0);
          int n = longs != null ? longs.length : doubles.length;
          for (int k = 0; k < n; k++) {
            rc.startGroup();
            rc.startField("element", 0);
            if (longs != null) {
              rc.addLong(longs[k]);
            } else {
              rc.addDouble(doubles[k]);
            }
            rc.endField("element", 0);
            rc.endGroup();
          }
          rc.endField("list", 0);
          rc.endGroup();
          rc.endField(name, index);
        }
      };
    }
  }

  private static Columns CURRENT;

  /**
   * Whether both files hold the same rows, by DuckDB: the rows of one EXCEPT the other's, both
   * ways.
   */
  private static boolean sameRows(Path a, Path b) throws SQLException {
    try (Connection duck = DuckDbCorpus.open(2);
        Statement st = duck.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT (SELECT count(*) FROM (SELECT * FROM '"
                    + a
                    + "' EXCEPT ALL SELECT * FROM '"
                    + b
                    + "')) + (SELECT count(*) FROM (SELECT * FROM '"
                    + b
                    + "' EXCEPT ALL SELECT * FROM '"
                    + a
                    + "')), (SELECT count(*) FROM '"
                    + a
                    + "'), (SELECT count(*) FROM '"
                    + b
                    + "')")) {
      rs.next();
      System.out.printf(
          Locale.ROOT,
          "rows: %d and %d; rows in one file and not the other: %d%n",
          rs.getLong(2),
          rs.getLong(3),
          rs.getLong(1));
      return rs.getLong(1) == 0 && rs.getLong(2) == rs.getLong(3);
    }
  }

  /** The values of the rows, as the scorer holds them, and the rows the job would build. */
  private static final class Columns {
    static final int BUCKETS = 10;
    final int rows;
    final Binary runId = Binary.fromString("bench-run");
    final Binary tokenizer = Binary.fromString("tok");
    final Binary sourceFile = Binary.fromString("file:/bench/work/shards-120000/shard-00.parquet");
    final Binary[] models = {Binary.fromString("m-a"), Binary.fromString("m-b")};
    final Binary[] domains = {
      Binary.fromString("news"),
      Binary.fromString("code"),
      Binary.fromString("web"),
      Binary.fromString("chat")
    };
    final Binary[] ids;
    final long[] tokens;
    final double[] nll;
    final long[] bytes;
    final long[] chars;
    final long[] words;
    final long[] bucketTokens = new long[BUCKETS];
    final double[][] bucketNll;
    private final PositionBuckets.Sums sums = new PositionBuckets.Sums();
    // The labels as the scorer holds them for a row (a copied id; shared repeated labels).
    private UTF8String[] idText;
    private final UTF8String[] modelText = {
      UTF8String.fromString("m-a"), UTF8String.fromString("m-b")
    };
    private final UTF8String[] domainText = {
      UTF8String.fromString("news"),
      UTF8String.fromString("code"),
      UTF8String.fromString("web"),
      UTF8String.fromString("chat")
    };
    private final UTF8String runText = UTF8String.fromString("bench-run");
    private final UTF8String tokenizerText = UTF8String.fromString("tok");
    private final UTF8String sourceText =
        UTF8String.fromString("file:/bench/work/shards-120000/shard-00.parquet");

    private Columns(int rows) {
      this.rows = rows;
      ids = new Binary[rows];
      idText = new UTF8String[rows];
      tokens = new long[rows];
      nll = new double[rows];
      bytes = new long[rows];
      chars = new long[rows];
      words = new long[rows];
      bucketNll = new double[rows][BUCKETS];
    }

    static Columns generate(int rows) {
      Columns c = new Columns(rows);
      java.util.SplittableRandom random = new java.util.SplittableRandom(16);
      for (int k = 0; k < BUCKETS; k++) {
        c.bucketTokens[k] = k == BUCKETS - 1 ? 1 : 1L << k;
      }
      for (int i = 0; i < rows; i++) {
        c.ids[i] = Binary.fromString("f0-" + i);
        c.idText[i] = UTF8String.fromString("f0-" + i);
        c.tokens[i] = 512;
        c.bytes[i] = 30 + i % 97;
        c.chars[i] = 26 + i % 97;
        c.words[i] = 4;
        double total = 0;
        for (int k = 0; k < BUCKETS; k++) {
          c.bucketNll[i][k] = c.bucketTokens[k] * random.nextDouble(0.01, 6.01);
          total += c.bucketNll[i][k];
        }
        c.nll[i] = total;
      }
      return c;
    }

    /** Row {@code i} as the job builds it for Spark's writer. */
    InternalRow row(int i) {
      sums.clear();
      for (int k = 0; k < BUCKETS; k++) {
        sums.addBucket(k, bucketTokens[k], bucketNll[i][k], Double.NaN);
      }
      return new SequenceRow(
              runText,
              idText[i],
              modelText[i % 2],
              tokenizerText,
              domainText[(i / 2) % 4],
              tokens[i],
              nll[i],
              nll[i] / tokens[i],
              Math.exp(nll[i] / tokens[i]),
              bytes[i],
              chars[i],
              words[i],
              SoftColumn.none(),
              0,
              sourceText,
              sums,
              SequenceRow.NO_EXTRA_LABELS)
          .toInternalRow();
    }
  }
}
