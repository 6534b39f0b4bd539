package dev.softmetrics.bench;

import dev.softmetrics.job.config.JobConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.SparkSession;

/**
 * A prototype of the speed issue's remaining gap, measured: the per-sequence sums of a {@code
 * list<float>} log-prob column decoded straight from Parquet's pages (parquet-mr reads and
 * decompresses them) with the repetition and definition levels taken run by run, not element by
 * element as Spark's vectorized reader appends them, against DuckDB's {@code list_sum} over the
 * same file and Spark's bare scan of the column ({@code sum(size(...))}, the baseline of
 * docs/PERFORMANCE.md), all on one core, warm. It answers whether a reader of the job's own could
 * bring the marginal cost per shard near DuckDB's; it is not wired into the job.
 *
 * <p>Handles what DuckDB and Spark write for such a column (PLAIN floats, levels in the RLE /
 * bit-packed hybrid, data pages v1 or v2); checks its sums against DuckDB's.
 *
 * <p>Options: {@code --file F} (default bench/work/shards-120000/shard-00.parquet), {@code --column
 * token_logprobs}, {@code --iterations 7}.
 */
final class ListDecodePrototype {
  private ListDecodePrototype() {}

  public static void main(String[] args) throws IOException, SQLException {
    String file = "bench/work/shards-120000/shard-00.parquet";
    String column = "token_logprobs";
    int iterations = 7;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--file" -> file = args[++i];
        case "--column" -> column = args[++i];
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
      }
    }
    Path path = Path.of(file).toAbsolutePath();
    List<Double> own = new ArrayList<>();
    List<Double> duck = new ArrayList<>();
    List<Double> sparkScan = new ArrayList<>();
    double[] check = null;
    double duckTotal = 0;
    SparkSession.Builder builder = SparkSession.builder().master("local[1]").appName("bench");
    dev.softmetrics.job.io.NioLocalFileSystem.EMBEDDED_SETTINGS.forEach(builder::config);
    JobConfig.load(null, List.of()).sparkConf().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    BenchSteps.Step scan = BenchSteps.bareScan(spark, path.toString());
    try (Connection db = DuckDbCorpus.open(1)) {
      for (int it = 0; it <= iterations; it++) {
        long t0 = System.nanoTime();
        Result r = decode(path, column);
        long t1 = System.nanoTime();
        duckTotal = duckSum(db, path, column);
        long t2 = System.nanoTime();
        long floats = scan.run().getAsLong();
        long t3 = System.nanoTime();
        System.out.printf(
            Locale.ROOT,
            "iteration %d%s: page decode %.3f s (%,d rows, %,d floats), DuckDB list_sum %.3f s,"
                + " Spark's scan %.3f s (%,d floats)%n",
            it,
            it == 0 ? " (cold)" : "",
            (t1 - t0) / 1e9,
            r.rows,
            r.values,
            (t2 - t1) / 1e9,
            (t3 - t2) / 1e9,
            floats);
        if (it > 0) {
          own.add((t1 - t0) / 1e9);
          duck.add((t2 - t1) / 1e9);
          sparkScan.add((t3 - t2) / 1e9);
        }
        check = r.sums;
      }
    } finally {
      spark.stop();
    }
    System.out.printf(
        Locale.ROOT,
        "Spark's bare scan of the column (sum(size(%s)), no float read), one core: %.3f s%n",
        column,
        BenchSteps.median(sparkScan));
    double total = 0;
    for (double s : check) {
      total += s;
    }
    System.out.printf(
        Locale.ROOT,
        "warm medians, one core: page decode %.3f s, DuckDB %.3f s (%.2fx DuckDB's)%n",
        BenchSteps.median(own),
        BenchSteps.median(duck),
        BenchSteps.median(own) / BenchSteps.median(duck));
    System.out.printf(
        Locale.ROOT,
        "sum of all rows' sums: page decode %.6f, DuckDB %.6f (relative difference %.2e)%n",
        total,
        duckTotal,
        Math.abs(total - duckTotal) / Math.abs(duckTotal));
  }

  private static double duckSum(Connection db, Path path, String column) throws SQLException {
    try (Statement st = db.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT sum(list_sum(" + column + ")::DOUBLE) FROM '" + path + "'")) {
      rs.next();
      return rs.getDouble(1);
    }
  }

  private record Result(long rows, long values, double[] sums) {}

  /** Per row, the sum of its list's floats (double accumulation, in order). */
  static Result decode(Path path, String column) throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(path.toUri()), new Configuration()))) {
      ColumnDescriptor descriptor = null;
      for (ColumnDescriptor d : reader.getFooter().getFileMetaData().getSchema().getColumns()) {
        if (d.getPath()[0].equals(column)) {
          descriptor = d;
        }
      }
      if (descriptor == null || descriptor.getMaxRepetitionLevel() != 1) {
        throw new IllegalArgumentException("No list column " + column + " in " + path);
      }
      reader.setRequestedSchema(
          new org.apache.parquet.schema.MessageType(
              "s", reader.getFooter().getFileMetaData().getSchema().getType(column)));
      double[] sums = new double[(int) reader.getRecordCount()];
      int row = -1;
      long values = 0;
      int maxDef = descriptor.getMaxDefinitionLevel();
      int[] levels = new int[0];
      PageReadStore group;
      while ((group = reader.readNextRowGroup()) != null) {
        PageReader pages = group.getPageReader(descriptor);
        DataPage page;
        while ((page = pages.readPage()) != null) {
          int n = page.getValueCount();
          ByteBuffer rep;
          ByteBuffer def;
          ByteBuffer data;
          if (page instanceof DataPageV1 v1) {
            ByteBuffer all = v1.getBytes().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int repLength = all.getInt(all.position());
            rep = all.slice(all.position() + 4, repLength);
            int at = all.position() + 4 + repLength;
            int defLength = all.getInt(at);
            def = all.slice(at + 4, defLength);
            data = all.slice(at + 4 + defLength, all.limit() - at - 4 - defLength);
          } else {
            DataPageV2 v2 = (DataPageV2) page;
            rep = v2.getRepetitionLevels().toByteBuffer();
            def = v2.getDefinitionLevels().toByteBuffer();
            data = v2.getData().toByteBuffer();
          }
          data = data.order(ByteOrder.LITTLE_ENDIAN);
          if (levels.length < n) {
            levels = new int[n];
          }
          // Definition levels: only values at maxDef are present; a page whose levels are one run
          // at maxDef (no null list, no null element) needs no per-element look.
          boolean allPresent = singleRun(def, 2, n, maxDef);
          if (!allPresent) {
            throw new IllegalStateException("prototype: nulls in the column are not handled");
          }
          // Repetition levels, run by run: a 0 starts a row; a run of 1s continues it.
          int valueAt = 0;
          int pos = 0;
          int bitWidth = 1;
          while (pos < n) {
            int header = readVarInt(rep);
            if ((header & 1) == 0) {
              int count = header >>> 1;
              int value = rep.get() & 0xFF;
              count = Math.min(count, n - pos);
              if (value == 1) {
                sums[row] += sumFloats(data, valueAt, count);
              } else {
                for (int k = 0; k < count; k++) {
                  row++;
                  sums[row] += data.getFloat(4 * (valueAt + k));
                }
              }
              valueAt += count;
              pos += count;
            } else {
              int groups = header >>> 1;
              int count = Math.min(groups * 8, n - pos);
              int bytes = groups * bitWidth;
              int start = rep.position();
              // One bit per level, least significant first: a 0 bit starts a row.
              for (int k = 0; k < count; k++) {
                int bit = (rep.get(start + (k >>> 3)) >>> (k & 7)) & 1;
                if (bit == 0) {
                  row++;
                }
                sums[row] += data.getFloat(4 * (valueAt + k));
              }
              rep.position(start + bytes);
              valueAt += count;
              pos += count;
            }
          }
          values += valueAt;
        }
      }
      return new Result(row + 1, values, sums);
    }
  }

  /** The sum of {@code count} floats from value {@code from}, in order, in double. */
  private static double sumFloats(ByteBuffer data, int from, int count) {
    double s = 0;
    for (int k = 0; k < count; k++) {
      s += data.getFloat(4 * (from + k));
    }
    return s;
  }

  /** Whether the hybrid-encoded levels are {@code n} values of {@code value} in RLE runs only. */
  private static boolean singleRun(ByteBuffer levels, int bitWidth, int n, int value) {
    ByteBuffer b = levels.duplicate();
    int seen = 0;
    while (seen < n && b.hasRemaining()) {
      int header = readVarInt(b);
      if ((header & 1) != 0) {
        return false;
      }
      int v = b.get() & 0xFF;
      if (v != value) {
        return false;
      }
      seen += header >>> 1;
    }
    return seen >= n;
  }

  private static int readVarInt(ByteBuffer b) {
    int value = 0;
    int shift = 0;
    while (true) {
      int x = b.get() & 0xFF;
      value |= (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return value;
      }
      shift += 7;
    }
  }
}
