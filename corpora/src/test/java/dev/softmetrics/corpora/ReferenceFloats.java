package dev.softmetrics.corpora;

/**
 * The tests' own reading of the blob dtypes, written differently from {@link BlobDtype}: decoding
 * by arithmetic on the fields rather than bit moves, and rounding by scaling to an integer number
 * of ulps and {@link Math#rint} (ties to even) in double, which holds every step exactly.
 */
final class ReferenceFloats {
  private ReferenceFloats() {}

  /** Decodes a little-endian blob of {@code dtype} ("float32", "float16" or "bfloat16"). */
  static float[] decode(String dtype, byte[] blob) {
    int width = dtype.equals("float32") ? 4 : 2;
    float[] values = new float[blob.length / width];
    for (int i = 0; i < values.length; i++) {
      long bits = 0;
      for (int b = width - 1; b >= 0; b--) {
        bits = bits << 8 | (blob[i * width + b] & 0xFF);
      }
      values[i] =
          switch (dtype) {
            case "float32" -> Float.intBitsToFloat((int) bits);
            case "bfloat16" -> Float.intBitsToFloat((int) (bits << 16));
            case "float16" -> half((int) bits);
            default -> throw new IllegalArgumentException("Invalid dtype: " + dtype);
          };
    }
    return values;
  }

  private static float half(int bits) {
    int exponent = bits >> 10 & 31;
    int fraction = bits & 1023;
    double magnitude =
        exponent == 31
            ? (fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
            : exponent == 0
                ? Math.scalb((double) fraction, -24)
                : Math.scalb(1024.0 + fraction, exponent - 25);
    return (float) ((bits & 0x8000) != 0 ? -magnitude : magnitude);
  }

  /** The nearest value of {@code dtype}, ties to even; past the largest finite, infinity. */
  static float round(BlobDtype dtype, float value) {
    if (dtype == BlobDtype.FLOAT32 || Float.isNaN(value) || Float.isInfinite(value)) {
      return value;
    }
    // binary16: 10 fraction bits, normal from 2^-14, largest finite 65504; bfloat16: 7 fraction
    // bits and float's exponent range.
    int fractionBits = dtype == BlobDtype.FLOAT16 ? 10 : 7;
    int minExponent = dtype == BlobDtype.FLOAT16 ? -14 : -126;
    double max = dtype == BlobDtype.FLOAT16 ? 65504 : Math.scalb(2.0 - 0x1p-7, 127);
    double magnitude = Math.abs((double) value);
    int exponent = Math.max(Math.getExponent(magnitude), minExponent);
    double ulps = Math.rint(Math.scalb(magnitude, fractionBits - exponent));
    double rounded = Math.scalb(ulps, exponent - fractionBits);
    if (rounded > max) {
      rounded = Double.POSITIVE_INFINITY;
    }
    return (float) Math.copySign(rounded, value);
  }
}
