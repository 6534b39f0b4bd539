package dev.softmetrics.job.score.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.io.ShardScan.ScanColumns;
import dev.softmetrics.udfs.Rejection;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.sql.execution.vectorized.Dictionary;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/**
 * Labels Spark's reader keeps as dictionary ids (values from Parquet dictionary pages) are checked
 * and kept as plain ones are: an empty or null label is missing, the roll-up's name is reserved,
 * and each distinct value comes out once per batch, equal to the value the column holds.
 */
class DictionaryLabelsTest {
  private static final String[] MODELS = {"m-a", "", "m-b", "__all__"};

  /** A string column of dictionary ids into {@code values}; -1 is a null row. */
  private static WritableColumnVector dictionaryColumn(String[] values, int[] ids) {
    OnHeapColumnVector column = new OnHeapColumnVector(ids.length, DataTypes.StringType);
    column.setDictionary(
        new Dictionary() {
          @Override
          public int decodeToInt(int id) {
            throw new UnsupportedOperationException();
          }

          @Override
          public long decodeToLong(int id) {
            throw new UnsupportedOperationException();
          }

          @Override
          public float decodeToFloat(int id) {
            throw new UnsupportedOperationException();
          }

          @Override
          public double decodeToDouble(int id) {
            throw new UnsupportedOperationException();
          }

          @Override
          public byte[] decodeToBinary(int id) {
            return values[id].getBytes(StandardCharsets.UTF_8);
          }
        });
    WritableColumnVector dictionaryIds = column.reserveDictionaryIds(ids.length);
    for (int row = 0; row < ids.length; row++) {
      if (ids[row] < 0) {
        column.putNull(row);
      } else {
        dictionaryIds.putInt(row, ids[row]);
      }
    }
    return column;
  }

  private static WritableColumnVector plainColumn(String... values) {
    OnHeapColumnVector column = new OnHeapColumnVector(values.length, DataTypes.StringType);
    for (int row = 0; row < values.length; row++) {
      column.putByteArray(row, values[row].getBytes(StandardCharsets.UTF_8));
    }
    return column;
  }

  @Test
  void dictionaryLabelsAreCheckedAndKeptAsPlainOnes() {
    int[] modelIds = {0, 2, 0, 1, 3, -1, 2};
    int rows = modelIds.length;
    String[] ids = new String[rows];
    String[] tokens = new String[rows];
    String[] domains = new String[rows];
    String[] files = new String[rows];
    OnHeapColumnVector rowIndex = new OnHeapColumnVector(rows, DataTypes.LongType);
    for (int row = 0; row < rows; row++) {
      ids[row] = "s" + row;
      tokens[row] = "tok";
      domains[row] = "web";
      files[row] = "file:/in/a.parquet";
      rowIndex.putLong(row, row);
    }
    ColumnVector[] vectors = {
      plainColumn(ids),
      dictionaryColumn(MODELS, modelIds),
      plainColumn(tokens),
      plainColumn(domains),
      plainColumn(files),
      rowIndex
    };
    ColumnarBatch batch = new ColumnarBatch(vectors, rows);
    int a = ScanColumns.ABSENT;
    ScanColumns columns =
        new ScanColumns(0, 1, 2, 3, a, a, a, a, a, a, a, a, a, a, a, a, a, a, 4, 5, a, new int[0]);
    try (RootAllocator allocator = new RootAllocator();
        BatchView view =
            BatchView.open(batch, columns, JobConfig.defaults().columns(), allocator)) {
      view.checkLabels();
      // Rows 3 (an empty model), 5 (null) missing; row 4 (the roll-up's name) reserved.
      int[] expected = {
        Rejection.SCORED,
        Rejection.SCORED,
        Rejection.SCORED,
        Rejection.MISSING_LABEL.id(),
        Rejection.RESERVED_LABEL.id(),
        Rejection.MISSING_LABEL.id(),
        Rejection.SCORED
      };
      for (int row = 0; row < rows; row++) {
        assertThat(view.status().get(row)).as("row %d", row).isEqualTo(expected[row]);
      }
      UTF8String first = view.keptLabel(1, 0, null);
      assertThat(first.toString()).isEqualTo("m-a");
      // The same id gives the same copy; another id its own value; a null row null.
      assertThat(view.keptLabel(1, 2, null)).isSameAs(first);
      assertThat(view.keptLabel(1, 1, first).toString()).isEqualTo("m-b");
      assertThat(view.keptLabel(1, 5, first)).isNull();
      // A plain column: the last value when equal, else a copy of the row's value.
      UTF8String tok = view.keptLabel(2, 0, null);
      assertThat(tok.toString()).isEqualTo("tok");
      assertThat(view.keptLabel(2, 1, tok)).isSameAs(tok);
    } finally {
      batch.close();
    }
  }
}
