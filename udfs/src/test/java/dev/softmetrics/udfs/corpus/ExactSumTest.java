package dev.softmetrics.udfs.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExactSumTest {

  private static final double MAX = Double.MAX_VALUE;
  private static final double TINY = Double.MIN_VALUE; // 2^-1074
  private static final double ONE_UP = Math.nextUp(1.0); // 1 + 2^-52
  private static final double TWO_53 = 0x1p53;

  /** The exact sum, with {@code new BigDecimal(double)}, which is exact. */
  private static BigDecimal exactSum(double... values) {
    BigDecimal sum = BigDecimal.ZERO;
    for (double value : values) {
      sum = sum.add(new BigDecimal(value));
    }
    return sum;
  }

  /**
   * Rounds an exact multiple of 2^-1074 to the nearest double, ties to even, by integer arithmetic
   * on the significand: independent of {@link BigDecimal#doubleValue()}.
   */
  private static double roundToDouble(BigDecimal exact) {
    BigInteger units =
        exact.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(1074))).toBigIntegerExact();
    BigInteger magnitude = units.abs();
    int excess = magnitude.bitLength() - 53;
    double rounded;
    if (excess <= 0) {
      // At most 53 bits in units of 2^-1074: a subnormal or the lowest binade, exact.
      rounded = Math.scalb((double) magnitude.longValueExact(), -1074);
    } else {
      BigInteger kept = magnitude.shiftRight(excess);
      BigInteger dropped = magnitude.subtract(kept.shiftLeft(excess));
      int versusHalf = dropped.compareTo(BigInteger.ONE.shiftLeft(excess - 1));
      if (versusHalf > 0 || (versusHalf == 0 && kept.testBit(0))) {
        kept = kept.add(BigInteger.ONE);
      }
      // kept <= 2^53 is exact as a double; scalb is exact here and overflows to infinity.
      rounded = Math.scalb((double) kept.longValueExact(), excess - 1074);
    }
    return units.signum() < 0 ? -rounded : rounded;
  }

  /** Compares doubles bit for bit: tells 0.0 from -0.0, and any NaN equals NaN. */
  private static long bits(double value) {
    return Double.doubleToLongBits(value);
  }

  private static ExactSum sumOf(double... values) {
    ExactSum sum = new ExactSum();
    for (double value : values) {
      sum.add(value);
    }
    return sum;
  }

  private static double naiveSum(double... values) {
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum;
  }

  /**
   * Finite values over all binades: random bit patterns, subnormals, edge values, cancellations.
   */
  private static double[] randomValues(Random random, int n) {
    double[] edges = {
      MAX,
      -MAX,
      TINY,
      -TINY,
      Double.MIN_NORMAL,
      -Double.MIN_NORMAL,
      Float.MAX_VALUE,
      -Float.MAX_VALUE,
      1e300,
      -1e300,
      1e-300,
      1e16,
      -1e16,
      1.0,
      0.1,
      -0.0,
      0.0
    };
    List<Double> values = new ArrayList<>();
    while (values.size() < n) {
      double value =
          switch (random.nextInt(6)) {
            case 0 -> Double.longBitsToDouble(random.nextLong()); // any binade, either sign
            case 1 ->
                Double.longBitsToDouble(random.nextLong() & 0x800F_FFFF_FFFF_FFFFL); // subnormal
            case 2 -> edges[random.nextInt(edges.length)];
            case 3 -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
            default -> random.nextDouble() * 10;
          };
      if (!Double.isFinite(value)) {
        continue;
      }
      values.add(value);
      if (random.nextInt(4) == 0) {
        values.add(-value); // cancels, wherever the shuffle puts it
      }
    }
    Collections.shuffle(values, random);
    return values.stream().mapToDouble(Double::doubleValue).limit(n).toArray();
  }

  static Stream<Arguments> halfwayCases() {
    return Stream.of(
        Arguments.of(new double[] {1, 0x1p-53}, 1.0), // tie, 1.0 is even
        Arguments.of(new double[] {1, 0x1p-53, 0x1p-100}, ONE_UP), // just above the tie
        Arguments.of(new double[] {1, 0x1p-53, -0x1p-100}, 1.0), // just below the tie
        Arguments.of(new double[] {ONE_UP, 0x1p-53}, 1 + 0x1p-51), // tie, odd rounds up
        Arguments.of(new double[] {-1, -0x1p-53}, -1.0),
        Arguments.of(new double[] {-1, -0x1p-53, -0x1p-100}, -ONE_UP),
        Arguments.of(new double[] {TWO_53, 1}, TWO_53), // tie
        Arguments.of(new double[] {TWO_53, 1, TINY}, TWO_53 + 2), // tie broken by 2^-1074
        Arguments.of(new double[] {TWO_53, 1, -TINY}, TWO_53),
        Arguments.of(new double[] {0x1p-1021, TINY}, 0x1p-1021), // ulp 2^-1073: a tie
        Arguments.of(new double[] {Math.nextUp(0x1p-1021), TINY}, 0x1p-1021 + 0x1p-1072),
        Arguments.of(new double[] {TINY, TINY}, 2 * TINY), // subnormals are exact
        Arguments.of(new double[] {Double.MIN_NORMAL, -TINY}, Math.nextDown(Double.MIN_NORMAL)),
        Arguments.of(new double[] {MAX, 0x1p969}, MAX), // below half an ulp of MAX
        Arguments.of(new double[] {MAX, 0x1p970}, Double.POSITIVE_INFINITY), // tie, odd: 2^1024
        Arguments.of(new double[] {-MAX, -0x1p970}, Double.NEGATIVE_INFINITY),
        Arguments.of(new double[] {MAX, MAX}, Double.POSITIVE_INFINITY),
        Arguments.of(new double[] {MAX, MAX, -MAX}, MAX),
        Arguments.of(new double[] {-MAX, -MAX, MAX, 0x1p-1074}, -MAX));
  }

  @ParameterizedTest
  @MethodSource("halfwayCases")
  void roundsOnceToNearestTiesToEven(double[] values, double expected) {
    BigDecimal exact = exactSum(values);

    // The claim the class rests on, checked against the hand-made answers, as is the reference.
    assertThat(bits(exact.doubleValue())).isEqualTo(bits(expected));
    assertThat(bits(roundToDouble(exact))).isEqualTo(bits(expected));
    assertThat(bits(sumOf(values).doubleValue())).isEqualTo(bits(expected));
    assertThat(sumOf(values).bigDecimalValue()).isEqualByComparingTo(exact);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomValuesAcrossAllMagnitudesSumExactly(long seed) {
    double[] values = randomValues(new Random(seed), 3_000);
    BigDecimal exact = exactSum(values);

    ExactSum sum = sumOf(values);

    assertThat(sum.bigDecimalValue()).isEqualByComparingTo(exact);
    assertThat(bits(sum.doubleValue())).isEqualTo(bits(roundToDouble(exact)));
    assertThat(sum.count()).isEqualTo(values.length);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomModerateValuesSumExactly(long seed) {
    // No MAX-sized terms, so the rounded result is an ordinary double, not an infinity.
    Random random = new Random(seed);
    double[] values =
        IntStream.range(0, 3_000)
            .mapToDouble(i -> random.nextGaussian() * Math.pow(2, random.nextInt(2000) - 1000))
            .toArray();
    BigDecimal exact = exactSum(values);

    assertThat(sumOf(values).doubleValue()).isFinite().isEqualTo(roundToDouble(exact));
  }

  /** Twenty fixed seeds, so a failure reproduces. */
  static LongStream seeds() {
    return LongStream.range(0, 20).map(i -> 0x5EED_0000L + i);
  }

  @Test
  void keepsWhatNaiveSummationLoses() {
    assertThat(naiveSum(1e16, 1.0, -1e16)).isEqualTo(0.0);
    assertThat(sumOf(1e16, 1.0, -1e16).doubleValue()).isEqualTo(1.0);

    assertThat(naiveSum(1e300, TINY, -1e300)).isEqualTo(0.0);
    assertThat(sumOf(1e300, TINY, -1e300).doubleValue()).isEqualTo(TINY);

    assertThat(naiveSum(MAX, MAX, -MAX)).isInfinite();
    assertThat(sumOf(MAX, MAX, -MAX).doubleValue()).isEqualTo(MAX);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void anyOrderAndMergeTreeGivesTheSameBits(long seed) {
    Random random = new Random(seed);
    double[] values = randomValues(random, 2_000);
    ExactSum sequential = sumOf(values);
    Set<Double> naiveResults = new HashSet<>();

    for (int trial = 0; trial < 20; trial++) {
      List<Double> shuffled = new ArrayList<>();
      for (double value : values) {
        shuffled.add(value);
      }
      Collections.shuffle(shuffled, random);
      naiveResults.add(shuffled.stream().reduce(0.0, Double::sum));

      ExactSum merged = mergeInRandomTree(shuffled, random);

      assertThat(bits(merged.doubleValue())).isEqualTo(bits(sequential.doubleValue()));
      assertThat(merged).isEqualTo(sequential).hasSameHashCodeAs(sequential);
      assertThat(merged.count()).isEqualTo(values.length);
    }
    // The data is order-sensitive for a double accumulator, so the test above could fail.
    assertThat(naiveResults).hasSizeGreaterThan(1);
  }

  /** Random partitions summed separately, then merged pairwise in random order. */
  private static ExactSum mergeInRandomTree(List<Double> values, Random random) {
    List<ExactSum> partials = new ArrayList<>();
    int start = 0;
    while (start < values.size()) {
      int end = Math.min(values.size(), start + 1 + random.nextInt(300));
      ExactSum partial = new ExactSum();
      values.subList(start, end).forEach(partial::add);
      partials.add(partial);
      start = end;
    }
    partials.add(new ExactSum()); // an empty partition merges as zero
    while (partials.size() > 1) {
      ExactSum into = partials.remove(random.nextInt(partials.size()));
      ExactSum from = partials.remove(random.nextInt(partials.size()));
      into.merge(from);
      partials.add(into);
    }
    return partials.get(0);
  }

  static Stream<Double> repeatedValues() {
    return Stream.of(0.1, -0.1, 1e-310, -1e300, (double) -Float.MAX_VALUE, Math.PI, MAX / 4e6);
  }

  @ParameterizedTest
  @MethodSource("repeatedValues")
  void threeMillionAddsOfOneValueAreExactlyKTimesIt(double value) {
    int k = 3_000_000; // crosses the 2^20-add carry propagation twice
    ExactSum sum = new ExactSum();
    for (int i = 0; i < k; i++) {
      sum.add(value);
    }
    BigDecimal exact = new BigDecimal(value).multiply(BigDecimal.valueOf(k));

    assertThat(sum.bigDecimalValue()).isEqualByComparingTo(exact);
    assertThat(sum.doubleValue()).isEqualTo(roundToDouble(exact));
    assertThat(sum.count()).isEqualTo(k);
  }

  @Test
  void alternatingSignsCarryAndBorrowCorrectly() {
    ExactSum sum = new ExactSum();
    double naive = 0;
    int pairs = 1_500_000;
    for (int i = 0; i < pairs; i++) {
      sum.add(0.1);
      sum.add(-0.3);
      naive += 0.1;
      naive += -0.3;
    }
    BigDecimal exact =
        new BigDecimal(0.1).add(new BigDecimal(-0.3)).multiply(BigDecimal.valueOf(pairs));

    assertThat(sum.bigDecimalValue()).isEqualByComparingTo(exact);
    assertThat(sum.doubleValue()).isEqualTo(roundToDouble(exact)).isNotEqualTo(naive);
  }

  static Stream<Arguments> specials() {
    double inf = Double.POSITIVE_INFINITY;
    double nan = Double.NaN;
    return Stream.of(
        Arguments.of(new double[] {1, inf, 2}, inf),
        Arguments.of(new double[] {1, -inf, 2}, -inf),
        Arguments.of(new double[] {inf, inf, -MAX}, inf),
        Arguments.of(new double[] {inf, -inf}, nan),
        Arguments.of(new double[] {1, nan}, nan),
        Arguments.of(new double[] {inf, nan}, nan),
        Arguments.of(new double[] {Double.longBitsToDouble(0xFFF0_0000_0000_0001L), 3}, nan),
        Arguments.of(new double[] {-0.0, -0.0}, 0.0),
        Arguments.of(new double[] {}, 0.0));
  }

  @ParameterizedTest
  @MethodSource("specials")
  void specialsFollowTheClassRules(double[] values, double expected) {
    ExactSum sum = sumOf(values);

    assertThat(bits(sum.doubleValue())).isEqualTo(bits(expected));
    assertThat(sum.count()).isEqualTo(values.length);
    assertThat(sum.bigDecimalValue())
        .isEqualByComparingTo(exactSum(Arrays.stream(values).filter(Double::isFinite).toArray()));
  }

  @Test
  void specialsSurviveMerges() {
    ExactSum positive = sumOf(1, Double.POSITIVE_INFINITY);
    ExactSum negative = sumOf(-1, Double.NEGATIVE_INFINITY);
    ExactSum finite = sumOf(5);

    ExactSum onlyPositive = finite.copy();
    onlyPositive.merge(positive);
    ExactSum both = onlyPositive.copy();
    both.merge(negative);
    ExactSum withNaN = sumOf(2);
    withNaN.merge(sumOf(Double.NaN));

    assertThat(onlyPositive.doubleValue()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(both.doubleValue()).isNaN();
    assertThat(both.bigDecimalValue()).isEqualByComparingTo("5");
    assertThat(withNaN.doubleValue()).isNaN();
    assertThat(withNaN.count()).isEqualTo(2);
    assertThat(negative.doubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void mergeAddsCountAndValueAndLeavesTheOtherUnchanged() {
    ExactSum into = sumOf(1e16, 3);
    ExactSum other = sumOf(1, -1e16, 0.5);

    into.merge(other);

    assertThat(into.doubleValue()).isEqualTo(4.5);
    assertThat(into.count()).isEqualTo(5);
    assertThat(other.bigDecimalValue()).isEqualByComparingTo(exactSum(1, -1e16, 0.5));
    assertThat(other.count()).isEqualTo(3);
  }

  @Test
  void mergingASumIntoItselfDoublesIt() {
    ExactSum sum = sumOf(0.1, -TINY, 1e300);

    sum.merge(sum);

    assertThat(sum.bigDecimalValue())
        .isEqualByComparingTo(exactSum(0.1, -TINY, 1e300).multiply(BigDecimal.valueOf(2)));
    assertThat(sum.count()).isEqualTo(6);
  }

  @Test
  void copyIsIndependent() {
    ExactSum original = sumOf(0.25, 0.5);
    ExactSum copy = original.copy();

    copy.add(1);

    assertThat(copy.doubleValue()).isEqualTo(1.75);
    assertThat(copy.count()).isEqualTo(3);
    assertThat(original.doubleValue()).isEqualTo(0.75);
    assertThat(original.count()).isEqualTo(2);
    assertThat(original.copy()).isEqualTo(original).isNotSameAs(original);
  }

  @Test
  void equalityComparesExactValueCountAndSpecials() {
    ExactSum a = sumOf(1e16, 1, -1e16);

    assertThat(a).isEqualTo(sumOf(-1e16, 1e16, 1)).hasSameHashCodeAs(sumOf(-1e16, 1e16, 1));
    assertThat(sumOf(1, TINY, 0)).isNotEqualTo(sumOf(1, 0, 0)); // differs in the lowest bit only
    assertThat(a).isNotEqualTo(sumOf(1e16, 1 + 0x1p-52, -1e16));
    assertThat(a).isNotEqualTo(sumOf(0.5, 0.5)); // same value, but a different count
    assertThat(sumOf(Double.NaN)).isNotEqualTo(sumOf(Double.POSITIVE_INFINITY));
    assertThat(a).isNotEqualTo(null).isNotEqualTo(1.0);
  }

  @Test
  void serializationKeepsValueCountAndPendingState() throws Exception {
    double[] values = randomValues(new Random(7), 1_000);
    ExactSum sum = sumOf(values);

    ExactSum restored = roundTrip(sum);

    assertThat(restored).isEqualTo(sum);
    assertThat(bits(restored.doubleValue())).isEqualTo(bits(roundToDouble(exactSum(values))));
    assertThat(restored.count()).isEqualTo(values.length);
    restored.add(1e-200);
    sum.add(1e-200);
    assertThat(restored).isEqualTo(sum);
  }

  @Test
  void serializationKeepsSpecials() throws Exception {
    assertThat(roundTrip(sumOf(1, Double.NEGATIVE_INFINITY)).doubleValue())
        .isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(roundTrip(sumOf(Double.NaN)).doubleValue()).isNaN();
  }

  private static ExactSum roundTrip(ExactSum sum) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sum);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (ExactSum) in.readObject();
    }
  }

  @Test
  void addTimesAddsTheExactProduct() {
    Random random = new Random(3);
    for (int i = 0; i < 2_000; i++) {
      double value = (random.nextDouble() - 0.3) * Math.pow(10, random.nextInt(40) - 20);
      long times = 1 + random.nextInt(1_000_000);
      ExactSum sum = new ExactSum();
      sum.addTimes(value, times);
      assertThat(
              sum.bigDecimalValue()
                  .compareTo(new BigDecimal(value).multiply(BigDecimal.valueOf(times))))
          .as("%s x %d", value, times)
          .isZero();
      assertThat(sum.count()).isEqualTo(1);
    }
  }

  @Test
  void addTimesOfAMeanGivesBackTheSumsOfManySequencesExactly() {
    // Per-sequence means, pooled back: the exact sum of mean_i * T_i, whatever the order.
    double[] means = {0.1, 2.0 / 3, 1e-300, 12345.678, 0.0};
    long[] tokens = {10, 3, 7, 1, 5};
    ExactSum forward = new ExactSum();
    ExactSum backward = new ExactSum();
    BigDecimal expected = BigDecimal.ZERO;
    for (int i = 0; i < means.length; i++) {
      forward.addTimes(means[i], tokens[i]);
      backward.addTimes(means[means.length - 1 - i], tokens[means.length - 1 - i]);
      expected = expected.add(new BigDecimal(means[i]).multiply(BigDecimal.valueOf(tokens[i])));
    }
    assertThat(forward.bigDecimalValue().compareTo(expected)).isZero();
    assertThat(forward.doubleValue()).isEqualTo(backward.doubleValue());
  }

  @Test
  void addTimesKeepsSpecialsAndChecksItsCount() {
    ExactSum inf = new ExactSum();
    inf.addTimes(Double.POSITIVE_INFINITY, 4);
    assertThat(inf.doubleValue()).isEqualTo(Double.POSITIVE_INFINITY);
    ExactSum huge = new ExactSum();
    huge.addTimes(MAX, 2);
    assertThat(huge.doubleValue()).isEqualTo(Double.POSITIVE_INFINITY);
    ExactSum nan = new ExactSum();
    nan.addTimes(Double.NaN, 1);
    assertThat(nan.doubleValue()).isNaN();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ExactSum().addTimes(1.0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid times: -1");
  }
}
