package dev.softmetrics.corpora;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The element types the demo writes into a binary {@code logits} blob, with their rounding and
 * little-endian encoding. Written here, apart from the job's own decoder, so that the demo corpus
 * checks that decoder rather than sharing its mistakes.
 *
 * <p>Rounding is IEEE 754 round-to-nearest, ties to even, as PyTorch's {@code .to(torch.bfloat16)}
 * and {@code .half()} do: a finite value past the largest finite one becomes an infinity, +-0 and
 * +-infinity stay themselves, and NaN stays NaN.
 */
public enum BlobDtype {
  /** IEEE binary32: 8 exponent bits, 23 fraction bits. */
  FLOAT32(4),
  /** IEEE binary16: 5 exponent bits, 10 fraction bits, largest finite 65504. */
  FLOAT16(2),
  /** Brain float: binary32's upper 16 bits, 8 exponent bits, 7 fraction bits. */
  BFLOAT16(2);

  private final int bytes;

  BlobDtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /**
   * The contract's {@code logits_dtype} name: {@code float32}, {@code float16} or {@code bfloat16}.
   */
  public String contractName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The value this type stores for {@code value}, widened back to a float exactly. */
  public float round(float value) {
    return switch (this) {
      case FLOAT32 -> value;
      case FLOAT16 -> halfToFloat(floatToHalf(value));
      case BFLOAT16 -> Float.intBitsToFloat(floatToBfloat16(value) << 16);
    };
  }

  /** Appends {@code value}, rounded, to {@code out}, which must be little-endian. */
  public void put(ByteBuffer out, float value) {
    switch (this) {
      case FLOAT32 -> out.putFloat(value);
      case FLOAT16 -> out.putShort((short) floatToHalf(value));
      case BFLOAT16 -> out.putShort((short) floatToBfloat16(value));
    }
  }

  /** The 16 bfloat16 bits of {@code value}, in the low half of the int. */
  private static int floatToBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (bits >>> 16) | 0x40;
    }
    // Adding 0x7FFF plus the lowest kept bit carries into the kept bits exactly when the dropped
    // half is above the midpoint, or at it with an odd kept part; a carry out of the largest
    // finite value lands on infinity's bits, as it should.
    return (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
  }

  /** The 16 binary16 bits of {@code value}, in the low half of the int. */
  static int floatToHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int magnitude = bits & 0x7FFFFFFF;
    if (magnitude > 0x7F800000) {
      return sign | 0x7E00;
    }
    if (magnitude >= 0x477FF000) {
      // 65520, half-way between 65504 and 2^16, and above: rounds to infinity (and infinity stays).
      return sign | 0x7C00;
    }
    if (magnitude < 0x38800000) {
      // Below 2^-14, the smallest normal half: a multiple of 2^-24. Scaling by 2^24 is exact in
      // double, and rint rounds half to even; 1024 there is the smallest normal's encoding.
      return sign | (int) Math.rint(Float.intBitsToFloat(magnitude) * 0x1.0p24);
    }
    int half = ((magnitude >>> 23) - 127 + 15) << 10 | (magnitude >>> 13) & 0x3FF;
    int dropped = magnitude & 0x1FFF;
    if (dropped > 0x1000 || (dropped == 0x1000 && (half & 1) == 1)) {
      half++;
    }
    return sign | half;
  }

  /** The float whose binary16 bits are the low 16 of {@code half}; every half is exact as float. */
  static float halfToFloat(int half) {
    int sign = (half & 0x8000) << 16;
    int exponent = (half >>> 10) & 0x1F;
    int fraction = half & 0x3FF;
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | fraction << 13);
    }
    if (exponent == 0) {
      float subnormal = fraction * 0x1.0p-24f;
      return sign == 0 ? subnormal : -subnormal;
    }
    return Float.intBitsToFloat(sign | (exponent - 15 + 127) << 23 | fraction << 13);
  }
}
