package dev.softmetrics.udfs.logits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * Every one of the 65,536 patterns of each format, against a reference that computes the value from
 * the format's definition in exact decimal arithmetic, not from bit manipulation.
 */
class HalfFloatsTest {

  /** The value of a binary16-like pattern, from the definition, or null for NaN. */
  private static BigDecimal reference(int bits, int exponentBits, int mantissaBits) {
    int bias = (1 << (exponentBits - 1)) - 1;
    int sign = bits >>> (exponentBits + mantissaBits) & 1;
    int exponent = bits >>> mantissaBits & ((1 << exponentBits) - 1);
    int mantissa = bits & ((1 << mantissaBits) - 1);
    if (exponent == (1 << exponentBits) - 1) {
      return null;
    }
    BigDecimal fraction = new BigDecimal(mantissa).divide(BigDecimal.valueOf(2).pow(mantissaBits));
    BigDecimal significand = exponent == 0 ? fraction : BigDecimal.ONE.add(fraction);
    int power = (exponent == 0 ? 1 : exponent) - bias;
    BigDecimal scale =
        power >= 0
            ? BigDecimal.valueOf(2).pow(power)
            : BigDecimal.ONE.divide(BigDecimal.valueOf(2).pow(-power));
    BigDecimal value = significand.multiply(scale);
    return sign == 1 ? value.negate() : value;
  }

  private static void checkAll(int exponentBits, int mantissaBits, boolean bfloat) {
    int infinities = 0;
    int nans = 0;
    for (int bits = 0; bits < 1 << 16; bits++) {
      float actual =
          bfloat
              ? HalfFloats.bfloat16ToFloat((short) bits)
              : HalfFloats.float16ToFloat((short) bits);
      BigDecimal expected = reference(bits, exponentBits, mantissaBits);
      boolean negative = (bits & 0x8000) != 0;
      int mantissa = bits & ((1 << mantissaBits) - 1);
      if (expected == null && mantissa == 0) {
        assertThat(actual)
            .as("pattern %04x", bits)
            .isEqualTo(negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
        infinities++;
      } else if (expected == null) {
        assertThat(Float.isNaN(actual)).as("pattern %04x", bits).isTrue();
        assertThat(Float.floatToRawIntBits(actual) < 0)
            .as("sign of NaN %04x", bits)
            .isEqualTo(negative);
        nans++;
      } else {
        assertThat(new BigDecimal(actual).compareTo(expected)).as("pattern %04x", bits).isZero();
        // Signed zeros keep their sign.
        assertThat(Float.floatToRawIntBits(actual) < 0)
            .as("sign of %04x", bits)
            .isEqualTo(negative);
      }
    }
    assertThat(infinities).isEqualTo(2);
    assertThat(nans).isEqualTo(2 * ((1 << mantissaBits) - 1));
  }

  @Test
  void everyFloat16PatternDecodesToItsExactValue() {
    checkAll(5, 10, false);
  }

  @Test
  void everyBfloat16PatternDecodesToItsExactValue() {
    checkAll(8, 7, true);
  }

  @Test
  void knownPatterns() {
    assertThat(HalfFloats.float16ToFloat((short) 0x3C00)).isEqualTo(1.0f);
    assertThat(HalfFloats.float16ToFloat((short) 0xC000)).isEqualTo(-2.0f);
    assertThat(HalfFloats.float16ToFloat((short) 0x7BFF)).isEqualTo(65504.0f);
    assertThat(HalfFloats.float16ToFloat((short) 0x0001)).isEqualTo(5.9604645e-8f);
    assertThat(HalfFloats.bfloat16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
    assertThat(HalfFloats.bfloat16ToFloat((short) 0xFF80)).isEqualTo(Float.NEGATIVE_INFINITY);
  }

  @Test
  void blobsDecodeLittleEndianPerDtype() {
    byte[] blob = {0x00, 0x3C, 0x00, (byte) 0xC0, 0x00, 0x7C};
    float[] out = new float[5];
    HalfFloats.decode(LogitsDtype.FLOAT16, blob, 0, out, 1, 3);
    assertThat(out).containsExactly(0f, 1f, -2f, Float.POSITIVE_INFINITY, 0f);
    byte[] bf = {(byte) 0x80, 0x3F, (byte) 0x80, (byte) 0xFF};
    HalfFloats.decode(LogitsDtype.BFLOAT16, bf, 0, out, 0, 2);
    assertThat(out[0]).isEqualTo(1f);
    assertThat(out[1]).isEqualTo(Float.NEGATIVE_INFINITY);
    byte[] f32 = {0, 0, (byte) 0x80, 0x3F, 0, 0, 0x20, (byte) 0xC1};
    HalfFloats.decode(LogitsDtype.FLOAT32, f32, 0, out, 0, 2);
    assertThat(out[0]).isEqualTo(1f);
    assertThat(out[1]).isEqualTo(-10f);
    assertThatThrownBy(() -> HalfFloats.decode(LogitsDtype.FLOAT32, f32, 4, out, 0, 2))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void dtypeNamesParseWithAliasesAndRejectOthers() {
    assertThat(LogitsDtype.parse("BF16")).isEqualTo(LogitsDtype.BFLOAT16);
    assertThat(LogitsDtype.parse(" float16 ")).isEqualTo(LogitsDtype.FLOAT16);
    assertThat(LogitsDtype.parse("fp32").bytes()).isEqualTo(4);
    assertThatThrownBy(() -> LogitsDtype.parse("int8"))
        .hasMessage("Invalid logits_dtype: int8 (must be float32, float16 or bfloat16)");
  }
}
