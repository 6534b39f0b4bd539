package dev.softmetrics.udfs.logprobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.udfs.Rejection;
import java.math.BigDecimal;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LogprobSumKernelTest {

  private static final double TOLERANCE = 1e-6;
  private static final double NAN = Double.NaN;
  private static final double INF = Double.POSITIVE_INFINITY;

  private BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  /** The child type of the {@code token_logprobs} list. */
  enum Child {
    FLOAT(FloatingPointPrecision.SINGLE),
    DOUBLE(FloatingPointPrecision.DOUBLE);

    final FloatingPointPrecision precision;

    Child(FloatingPointPrecision precision) {
      this.precision = precision;
    }

    /** The value the vector stores: floats are rounded to float, then widened back exactly. */
    double stored(double value) {
      return this == FLOAT ? (double) (float) value : value;
    }

    /** The next value above a stored value that this child can hold. */
    double nextUp(double stored) {
      return this == FLOAT ? Math.nextUp((float) stored) : Math.nextUp(stored);
    }
  }

  /** The batch's outputs, read back after the kernel ran. */
  private record Result(Long[] tokens, Double[] nllSum, int[] status) {}

  @ParameterizedTest
  @EnumSource(Child.class)
  void scoredRowsSumTheirLogprobs(Child child) {
    Double[][] rows = {
      {-0.1},
      {-0.1, -2.5},
      {-1e-3, -7.25, -0.3},
      {-0.7, -0.2, -11.0, -3.3},
      {-0.01, -0.02, -0.03, -0.04, -0.05},
      {-4.4, -0.0, -1.1, -2.2, -3.3, -5.5, -6.6, -7.7, -8.8},
      {0.0},
      {-1.0, 1e-7},
    };

    Result result = run(child, rows, null);

    for (int i = 0; i < rows.length; i++) {
      assertThat(result.status[i]).as("status of row %d", i).isEqualTo(Rejection.SCORED);
      assertThat(result.tokens[i]).as("tokens of row %d", i).isEqualTo(rows[i].length);
      double expected = expectedNll(child, rows[i]);
      assertThat(result.nllSum[i])
          .as("nll_sum of row %d", i)
          .isCloseTo(expected, relative(expected));
    }
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void randomRowsMatchExactSums(Child child) {
    Random random = new Random(7L);
    Double[][] rows = new Double[500][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new Double[1 + random.nextInt(70)];
      for (int k = 0; k < rows[i].length; k++) {
        rows[i][k] = -Math.abs(random.nextGaussian() * 4) * Math.pow(10, random.nextInt(5) - 2);
      }
    }

    Result result = run(child, rows, null);

    for (int i = 0; i < rows.length; i++) {
      double expected = expectedNll(child, rows[i]);
      assertThat(result.tokens[i]).isEqualTo(rows[i].length);
      assertThat(result.nllSum[i])
          .as("nll_sum of row %d", i)
          .isCloseTo(expected, relative(expected));
    }
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void sumDependsOnlyOnTheRowNotItsPlaceInTheBatch(Child child) {
    Double[] row = {-1e-8, -3.0, -1e8, -0.1, -7.0, -1e-3, -2.0};
    Double[][] first = {row};
    Double[][] later = {{-1.0}, {-2.0, -3.0}, {-4.0, -5.0, -6.0}, row};

    double alone = run(child, first, null).nllSum[0];
    double shifted = run(child, later, null).nllSum[3];

    assertThat(Double.doubleToRawLongBits(shifted)).isEqualTo(Double.doubleToRawLongBits(alone));
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void rejectedRowsGetTheirReasonAndNullOutputs(Child child) {
    Double[][] rows = {
      null,
      {},
      {-1.0, null, -2.0},
      {-1.0, NAN},
      {INF, -1.0},
      {-1.0, -2.0, -3.0, -4.0, -Double.POSITIVE_INFINITY},
      {-1.0, 1e-3},
      {-1.0, -2.0},
      {null, NAN, 1.0},
      {1.0, NAN},
      {1.0, -INF},
    };
    Rejection[] expected = {
      Rejection.MISSING_LOGPROBS,
      Rejection.EMPTY_LOGPROBS,
      Rejection.NULL_LOGPROB,
      Rejection.NON_FINITE_LOGPROB,
      Rejection.NON_FINITE_LOGPROB,
      Rejection.NON_FINITE_LOGPROB,
      Rejection.POSITIVE_LOGPROB,
      null,
      Rejection.NULL_LOGPROB,
      Rejection.NON_FINITE_LOGPROB,
      Rejection.NON_FINITE_LOGPROB,
    };

    Result result = run(child, rows, null);

    for (int i = 0; i < rows.length; i++) {
      if (expected[i] == null) {
        assertThat(result.status[i]).isEqualTo(Rejection.SCORED);
        assertThat(result.tokens[i]).isEqualTo(2);
        assertThat(result.nllSum[i]).isEqualTo(3.0);
      } else {
        assertThat(result.status[i]).as("status of row %d", i).isEqualTo(expected[i].id());
        assertThat(result.tokens[i]).as("tokens of row %d", i).isNull();
        assertThat(result.nllSum[i]).as("nll_sum of row %d", i).isNull();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void skippingLeavesOutOnlyANullFirstElement(Child child) {
    Double[][] rows = {
      {null, -1.5, -0.25},
      {null},
      {null, null, -1.0},
      {-1.0, null},
      {-0.5, -2.0},
      {null, NAN},
      {null, -1.0, null},
    };

    Result result = run(child, rows, null, TOLERANCE, true);

    assertThat(result.status[0]).isEqualTo(Rejection.SCORED);
    assertThat(result.tokens[0]).as("the unconditioned first token is not counted").isEqualTo(2);
    assertThat(result.nllSum[0]).isEqualTo(1.75);
    assertThat(result.status[1])
        .as("no token left to score")
        .isEqualTo(Rejection.EMPTY_LOGPROBS.id());
    assertThat(result.status[2]).isEqualTo(Rejection.NULL_LOGPROB.id());
    assertThat(result.status[3]).isEqualTo(Rejection.NULL_LOGPROB.id());
    assertThat(result.status[4]).isEqualTo(Rejection.SCORED);
    assertThat(result.tokens[4]).isEqualTo(2);
    assertThat(result.nllSum[4]).isEqualTo(2.5);
    assertThat(result.status[5]).isEqualTo(Rejection.NON_FINITE_LOGPROB.id());
    assertThat(result.status[6]).isEqualTo(Rejection.NULL_LOGPROB.id());
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void withoutSkippingANullFirstElementIsRejected(Child child) {
    Result result = run(child, new Double[][] {{null, -1.0}}, null);

    assertThat(result.status[0]).isEqualTo(Rejection.NULL_LOGPROB.id());
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void firstScoredAndFirstElementFollowTheSkip(Child child) {
    try (ListVector logprobs = lists(child, new Double[][] {{null, -1.0, null}, {null, -2.0}});
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nllSum = new Float8Vector("nll_sum", allocator);
        IntVector status = new IntVector("status", allocator)) {
      status.allocateNew(2);
      status.setValueCount(2);

      LogprobSumKernel.apply(logprobs, TOLERANCE, true, tokens, nllSum, status);

      assertThat(LogprobSumKernel.firstScored(logprobs, tokens, 1)).isEqualTo(1);
      assertThat(
              LogprobSumKernel.firstElementOf(logprobs, 0, Rejection.NULL_LOGPROB, TOLERANCE, true))
          .as("the null that rejects the row, not the skipped one")
          .isEqualTo(2);
      assertThat(LogprobSumKernel.firstElementOf(logprobs, 0, Rejection.NULL_LOGPROB, TOLERANCE))
          .isEqualTo(0);
    }
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void positiveToleranceIsInclusive(Child child) {
    double atTolerance = child.stored(1e-3);
    Double[][] rows = {{-1.0, atTolerance}, {-1.0, child.nextUp(atTolerance)}};

    Result result = run(child, rows, null, atTolerance);

    assertThat(result.status[0]).isEqualTo(Rejection.SCORED);
    assertThat(result.nllSum[0]).isEqualTo(1.0 - atTolerance);
    assertThat(result.status[1]).isEqualTo(Rejection.POSITIVE_LOGPROB.id());
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void earlierRejectionIsKept(Child child) {
    Double[][] rows = {{-1.0}, {-2.0}, null, {NAN}, {-3.0}};
    int[] prior = {
      Rejection.MISSING_LABEL.id(),
      Rejection.SCORED,
      Rejection.MISSING_TEXT_AND_COUNTS.id(),
      Rejection.MISSING_LABEL.id(),
      -1,
    };

    Result result = run(child, rows, prior);

    assertThat(result.status)
        .containsExactly(
            Rejection.MISSING_LABEL.id(),
            Rejection.SCORED,
            Rejection.MISSING_TEXT_AND_COUNTS.id(),
            Rejection.MISSING_LABEL.id(),
            Rejection.SCORED);
    assertThat(result.tokens).containsExactly(null, 1L, null, null, 1L);
    assertThat(result.nllSum).containsExactly(null, 2.0, null, null, 3.0);
  }

  @Test
  void finiteValuesWhoseSumOverflowsAreScoredAsInfinite() {
    Double[][] rows = {{-1e308, -1e308}};

    Result result = run(Child.DOUBLE, rows, null);

    assertThat(result.status[0]).isEqualTo(Rejection.SCORED);
    assertThat(result.nllSum[0]).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void emptyBatchSetsValueCounts() {
    Result result = run(Child.FLOAT, new Double[0][], null);

    assertThat(result.tokens).isEmpty();
    assertThat(result.status).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void firstElementOfFindsTheElementOfEachReason(Child child) {
    Double[][] rows = {
      {-1.0, null, -2.0},
      {-1.0, -2.0, -3.0, NAN},
      {INF},
      {-1.0, -INF},
      {-1.0, -2.0, 0.5, NAN},
      {0.5, null},
      {-1.0, -2.0},
      null,
      {},
    };
    Rejection nul = Rejection.NULL_LOGPROB;
    Rejection nonFinite = Rejection.NON_FINITE_LOGPROB;
    Rejection positive = Rejection.POSITIVE_LOGPROB;
    Object[][] cases = {
      {0, nul, 1}, {0, nonFinite, -1}, {1, nonFinite, 3}, {2, nonFinite, 0}, {2, positive, -1},
      {3, nonFinite, 1}, {4, nonFinite, 3}, {4, positive, 2}, {5, nul, 1}, {5, positive, 0},
      {6, nul, -1}, {6, nonFinite, -1}, {6, positive, -1}, {7, nul, -1}, {8, nonFinite, -1},
    };
    try (ListVector logprobs = lists(child, rows)) {
      for (Object[] c : cases) {
        int row = (Integer) c[0];
        Rejection reason = (Rejection) c[1];
        assertThat(LogprobSumKernel.firstElementOf(logprobs, row, reason, TOLERANCE))
            .as("row %d, %s", row, reason)
            .isEqualTo(c[2]);
      }
      assertThatThrownBy(
              () -> LogprobSumKernel.firstElementOf(logprobs, 0, Rejection.EMPTY_LOGPROBS, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid reason: EMPTY_LOGPROBS");
    }
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void elementAsDoubleReadsOneValue(Child child) {
    Double[][] rows = {{-1.0}, {-0.1, null, NAN, -INF}};
    try (ListVector logprobs = lists(child, rows)) {
      assertThat(LogprobSumKernel.elementAsDouble(logprobs, 0, 0)).isEqualTo(-1.0);
      assertThat(LogprobSumKernel.elementAsDouble(logprobs, 1, 0)).isEqualTo(child.stored(-0.1));
      assertThat(LogprobSumKernel.elementAsDouble(logprobs, 1, 1)).isNaN();
      assertThat(LogprobSumKernel.elementAsDouble(logprobs, 1, 2)).isNaN();
      assertThat(LogprobSumKernel.elementAsDouble(logprobs, 1, 3)).isEqualTo(-INF);
      assertThatThrownBy(() -> LogprobSumKernel.elementAsDouble(logprobs, 1, 4))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid element index: 4 (must be in [0, 4) for row 1 of token_logprobs)");
      assertThatThrownBy(() -> LogprobSumKernel.elementAsDouble(logprobs, 2, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid row: 2 (must be in [0, 2) for token_logprobs)");
    }
  }

  @Test
  void elementOfANullRowIsRejected() {
    try (ListVector logprobs = lists(Child.DOUBLE, new Double[][] {{-1.0}, null})) {
      assertThatThrownBy(() -> LogprobSumKernel.elementAsDouble(logprobs, 1, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot read element 0 of row 1 of token_logprobs: the row is null");
      assertThatThrownBy(
              () ->
                  LogprobSumKernel.firstElementOf(logprobs, -1, Rejection.NULL_LOGPROB, TOLERANCE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid row: -1 (must be in [0, 2) for token_logprobs)");
    }
  }

  @Test
  void otherChildTypesAreRejected() {
    try (ListVector logprobs = ListVector.empty("token_logprobs", allocator);
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nllSum = new Float8Vector("nll_sum", allocator);
        IntVector status = new IntVector("status", allocator)) {
      logprobs.addOrGetVector(FieldType.nullable(new ArrowType.Int(32, true)));
      logprobs.allocateNew();
      int start = logprobs.startNewValue(0);
      ((IntVector) logprobs.getDataVector()).setSafe(start, -1);
      logprobs.endValue(0, 1);
      logprobs.setValueCount(1);
      status.setSafe(0, Rejection.SCORED);
      status.setValueCount(1);
      String message =
          "Invalid child vector of token_logprobs: IntVector of type INT"
              + " (must be a Float4Vector or a Float8Vector)";

      assertThatThrownBy(() -> LogprobSumKernel.apply(logprobs, TOLERANCE, tokens, nllSum, status))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
      assertThatThrownBy(
              () -> LogprobSumKernel.firstElementOf(logprobs, 0, Rejection.NULL_LOGPROB, TOLERANCE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
      assertThatThrownBy(() -> LogprobSumKernel.elementAsDouble(logprobs, 0, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
    }
  }

  @Test
  void statusMustCoverTheBatch() {
    try (ListVector logprobs = lists(Child.FLOAT, new Double[][] {{-1.0}, {-2.0}});
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nllSum = new Float8Vector("nll_sum", allocator);
        IntVector status = new IntVector("status", allocator)) {
      status.setSafe(0, Rejection.SCORED);
      status.setValueCount(1);

      assertThatThrownBy(() -> LogprobSumKernel.apply(logprobs, TOLERANCE, tokens, nllSum, status))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid status vector status: 1 values (must have the 2 values of token_logprobs)");
    }
  }

  @Test
  void toleranceMustBeFiniteAndNonNegative() {
    try (ListVector logprobs = lists(Child.FLOAT, new Double[][] {{-1.0}});
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nllSum = new Float8Vector("nll_sum", allocator);
        IntVector status = new IntVector("status", allocator)) {
      status.setSafe(0, Rejection.SCORED);
      status.setValueCount(1);

      for (double bad : new double[] {-1e-9, NAN, INF}) {
        assertThatThrownBy(() -> LogprobSumKernel.apply(logprobs, bad, tokens, nllSum, status))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("Invalid positiveTolerance: " + bad + " (must be finite and >= 0)");
        assertThatThrownBy(
                () -> LogprobSumKernel.firstElementOf(logprobs, 0, Rejection.NULL_LOGPROB, bad))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("Invalid positiveTolerance: " + bad + " (must be finite and >= 0)");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Child.class)
  void offsetsBeyondTheDataBufferAreRefusedBeforeAnyRead(Child child) {
    try (ListVector logprobs = lists(child, new Double[][] {{-1.0, -2.0}, {-3.0}});
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nll = new Float8Vector("nll", allocator);
        IntVector status = new IntVector("status", allocator)) {
      status.allocateNew(2);
      status.setValueCount(2);
      long capacity = logprobs.getDataVector().getDataBuffer().capacity();
      logprobs.getOffsetBuffer().setInt(2L * Integer.BYTES, (int) capacity);

      assertThatThrownBy(() -> LogprobSumKernel.apply(logprobs, TOLERANCE, tokens, nll, status))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid list vector " + logprobs.getName())
          .hasMessageContaining("within the " + capacity + " bytes");
    }
  }

  private Result run(Child child, Double[][] rows, int[] priorStatus) {
    return run(child, rows, priorStatus, TOLERANCE);
  }

  /** Runs the kernel; a null {@code priorStatus} leaves every status null, which counts as 0. */
  private Result run(Child child, Double[][] rows, int[] priorStatus, double tolerance) {
    return run(child, rows, priorStatus, tolerance, false);
  }

  private Result run(
      Child child, Double[][] rows, int[] priorStatus, double tolerance, boolean skipNullFirst) {
    try (ListVector logprobs = lists(child, rows);
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nllSum = new Float8Vector("nll_sum", allocator);
        IntVector status = new IntVector("status", allocator)) {
      status.allocateNew(rows.length);
      if (priorStatus != null) {
        for (int i = 0; i < rows.length; i++) {
          if (priorStatus[i] < 0) {
            status.setNull(i);
          } else {
            status.set(i, priorStatus[i]);
          }
        }
      }
      status.setValueCount(rows.length);

      if (skipNullFirst) {
        LogprobSumKernel.apply(logprobs, tolerance, true, tokens, nllSum, status);
      } else {
        LogprobSumKernel.apply(logprobs, tolerance, tokens, nllSum, status);
      }

      assertThat(tokens.getValueCount()).isEqualTo(rows.length);
      assertThat(nllSum.getValueCount()).isEqualTo(rows.length);
      assertThat(status.getValueCount()).isEqualTo(rows.length);
      Result result =
          new Result(new Long[rows.length], new Double[rows.length], new int[rows.length]);
      for (int i = 0; i < rows.length; i++) {
        assertThat(status.isNull(i)).isFalse();
        result.tokens[i] = tokens.getObject(i);
        result.nllSum[i] = nllSum.getObject(i);
        result.status[i] = status.get(i);
      }
      return result;
    }
  }

  /** A {@code token_logprobs} list vector; a null row or element becomes a null in Arrow. */
  private ListVector lists(Child child, Double[][] rows) {
    ListVector logprobs = ListVector.empty("token_logprobs", allocator);
    logprobs.addOrGetVector(FieldType.nullable(new ArrowType.FloatingPoint(child.precision)));
    logprobs.allocateNew();
    FieldVector values = logprobs.getDataVector();
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] == null) {
        logprobs.setNull(i);
        continue;
      }
      int start = logprobs.startNewValue(i);
      for (int k = 0; k < rows[i].length; k++) {
        Double value = rows[i][k];
        if (value == null && values instanceof Float4Vector floats) {
          floats.setNull(start + k);
        } else if (value == null) {
          ((Float8Vector) values).setNull(start + k);
        } else if (values instanceof Float4Vector floats) {
          floats.setSafe(start + k, value.floatValue());
        } else {
          ((Float8Vector) values).setSafe(start + k, value);
        }
      }
      logprobs.endValue(i, rows[i].length);
    }
    logprobs.setValueCount(rows.length);
    return logprobs;
  }

  /** -sum of the stored (for floats: widened) values, summed exactly and rounded once. */
  private static double expectedNll(Child child, Double[] row) {
    BigDecimal sum = BigDecimal.ZERO;
    for (Double value : row) {
      sum = sum.add(new BigDecimal(child.stored(value)));
    }
    return -sum.doubleValue();
  }

  private static org.assertj.core.data.Offset<Double> relative(double expected) {
    return within(1e-12 * Math.abs(expected));
  }
}
