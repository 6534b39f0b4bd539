package dev.softmetrics.corpora;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The rounding and encoding that {@link SyntheticLogits} uses for its blobs. */
class SyntheticLogitsDtypeTest {

  @ParameterizedTest(name = "{0}({1}) = {2}")
  @CsvSource({
    // Ties go to the even neighbour, above a tie goes up.
    "BFLOAT16, 0x1.01p0, 1.0",
    "BFLOAT16, 0x1.03p0, 0x1.04p0",
    "BFLOAT16, 0x1.010002p0, 0x1.02p0",
    "BFLOAT16, -0x1.fep127, -0x1.fep127",
    "BFLOAT16, 0x1.ffp127, Infinity",
    "BFLOAT16, -Infinity, -Infinity",
    "BFLOAT16, 0.1, 0x1.9ap-4",
    "FLOAT16, 0x1.002p0, 1.0",
    "FLOAT16, 0x1.006p0, 0x1.008p0",
    "FLOAT16, 65504, 65504",
    "FLOAT16, 65519.996, 65504",
    "FLOAT16, 65520, Infinity",
    "FLOAT16, -1e6, -Infinity",
    "FLOAT16, 0x1p-24, 0x1p-24",
    "FLOAT16, 0x1p-25, 0.0",
    "FLOAT16, 0x1.8p-24, 0x1p-23",
    "FLOAT16, 0x1.ffcp-15, 0x1p-14",
    "FLOAT16, -0.0, -0.0",
    "FLOAT16, -Infinity, -Infinity",
    "FLOAT16, 0.1, 0.0999755859375",
    "FLOAT32, 0.1, 0.1"
  })
  void roundsToNearestEven(BlobDtype dtype, String value, String expected) {
    float rounded = dtype.round(Float.parseFloat(value));
    assertThat(Float.floatToRawIntBits(rounded))
        .as("%s(%s) = %s, expected %s", dtype, value, rounded, expected)
        .isEqualTo(Float.floatToRawIntBits(Float.parseFloat(expected)));
  }

  @ParameterizedTest
  @EnumSource(BlobDtype.class)
  void roundingAgreesWithAReferenceOnRandomFloats(BlobDtype dtype) {
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 300_000; i++) {
      // Half the draws are any float, half lie where logits do (2^-30 to 2^17, both signs).
      float value =
          i % 2 == 0
              ? Float.intBitsToFloat(random.nextInt())
              : (float) Math.scalb(random.nextDouble(-2, 2), random.nextInt(-30, 17));
      if (Float.isNaN(value)) {
        continue;
      }
      float expected = ReferenceFloats.round(dtype, value);
      assertThat(Float.floatToRawIntBits(dtype.round(value)))
          .as("%s(%s) expected %s", dtype, value, expected)
          .isEqualTo(Float.floatToRawIntBits(expected));
    }
  }

  @ParameterizedTest
  @EnumSource(BlobDtype.class)
  void putWritesLittleEndianBitsThatDecodeToTheRoundedValue(BlobDtype dtype) {
    float[] values = {0f, -0f, 1f, -2.5f, 0.1f, 17.3f, -31.99f, 1e-6f, Float.NEGATIVE_INFINITY};
    ByteBuffer out =
        ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      dtype.put(out, value);
    }
    assertThat(out.position()).isEqualTo(values.length * dtype.bytes());
    float[] decoded = ReferenceFloats.decode(dtype.contractName(), out.array());
    for (int i = 0; i < values.length; i++) {
      assertThat(Float.floatToRawIntBits(decoded[i]))
          .as("%s %s", dtype, values[i])
          .isEqualTo(Float.floatToRawIntBits(ReferenceFloats.round(dtype, values[i])));
    }
  }

  @ParameterizedTest
  @EnumSource(BlobDtype.class)
  void nanStaysNan(BlobDtype dtype) {
    ByteBuffer out = ByteBuffer.allocate(dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    dtype.put(out, Float.NaN);
    assertThat(Float.isNaN(dtype.round(Float.NaN))).isTrue();
    assertThat(Float.isNaN(ReferenceFloats.decode(dtype.contractName(), out.array())[0])).isTrue();
  }

  @ParameterizedTest
  @CsvSource({"FLOAT32, float32, 4", "FLOAT16, float16, 2", "BFLOAT16, bfloat16, 2"})
  void namesAndWidthsAreTheContracts(BlobDtype dtype, String name, int bytes) {
    assertThat(dtype.contractName()).isEqualTo(name);
    assertThat(dtype.bytes()).isEqualTo(bytes);
  }
}
