package dev.softmetrics.udfs.logits;

/**
 * Decodes IEEE 754 half precision (float16) and bfloat16 to float, exactly: every one of the 65,536
 * patterns of either format is a float value, so no rounding happens; NaN payloads keep their quiet
 * bit and sign.
 *
 * <p>bfloat16 is the upper half of a float32, so its decoding is a shift. float16 has 5 exponent
 * bits (bias 15) and 10 mantissa bits; its subnormals become normal floats.
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** The float whose upper 16 bits are {@code bits} (the low 16 bits of the argument). */
  public static float bfloat16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** The value of the float16 {@code bits}. */
  public static float float16ToFloat(short bits) {
    int h = bits & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0x1F) {
      // Infinity (mantissa 0) or NaN: all-ones float exponent, the mantissa in the top bits.
      return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
    }
    if (exponent == 0) {
      if (mantissa == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal: mantissa * 2^-24, exact in float (it has 24 significant bits).
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /**
   * Decodes {@code count} little-endian values of {@code dtype} from {@code src} at byte {@code
   * srcOffset} into {@code dst} from {@code dstOffset}.
   *
   * @throws IndexOutOfBoundsException if either range is out of its array
   */
  public static void decode(
      LogitsDtype dtype, byte[] src, int srcOffset, float[] dst, int dstOffset, int count) {
    java.util.Objects.checkFromIndexSize(srcOffset, count * dtype.bytes(), src.length);
    java.util.Objects.checkFromIndexSize(dstOffset, count, dst.length);
    switch (dtype) {
      case FLOAT32 -> {
        for (int i = 0; i < count; i++) {
          int at = srcOffset + 4 * i;
          dst[dstOffset + i] =
              Float.intBitsToFloat(
                  (src[at] & 0xFF)
                      | (src[at + 1] & 0xFF) << 8
                      | (src[at + 2] & 0xFF) << 16
                      | (src[at + 3] & 0xFF) << 24);
        }
      }
      case FLOAT16 -> {
        for (int i = 0; i < count; i++) {
          int at = srcOffset + 2 * i;
          dst[dstOffset + i] = float16ToFloat((short) ((src[at] & 0xFF) | (src[at + 1] << 8)));
        }
      }
      case BFLOAT16 -> {
        for (int i = 0; i < count; i++) {
          int at = srcOffset + 2 * i;
          dst[dstOffset + i] = bfloat16ToFloat((short) ((src[at] & 0xFF) | (src[at + 1] << 8)));
        }
      }
    }
  }
}
