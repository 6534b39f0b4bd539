package dev.softmetrics.job.score.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

class DecimalLabelsTest {

  @Test
  void digitsAreTheDecimalSpellingOfEveryLong() {
    long[] values = {0, 1, -1, 9, 10, -10, 1234567890123L, Long.MAX_VALUE, Long.MIN_VALUE};
    String[] spelled = {
      "0",
      "1",
      "-1",
      "9",
      "10",
      "-10",
      "1234567890123",
      "9223372036854775807",
      "-9223372036854775808"
    };
    byte[] digits = new byte[20];
    for (int i = 0; i < values.length; i++) {
      int start = DecimalLabels.format(values[i], digits);
      assertThat(new String(digits, start, digits.length - start, StandardCharsets.US_ASCII))
          .isEqualTo(spelled[i]);
    }
  }

  @Test
  void aColumnOfIntsBecomesStringsWithItsNulls() {
    try (OnHeapColumnVector ints = new OnHeapColumnVector(3, DataTypes.IntegerType)) {
      ints.putInt(0, -5);
      ints.putNull(1);
      ints.putInt(2, 300);
      try (OnHeapColumnVector text = DecimalLabels.of(ints, 3)) {
        assertThat(text.getUTF8String(0).toString()).isEqualTo("-5");
        assertThat(text.isNullAt(1)).isTrue();
        assertThat(text.getUTF8String(2).toString()).isEqualTo("300");
      }
    }
  }
}
