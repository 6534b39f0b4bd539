package dev.softmetrics.bench.kernels;

import dev.softmetrics.udfs.logprobs.LogprobSumKernel;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The log-prob kernel in nanoseconds per log-prob, over one batch as the job reads it: 4096 rows of
 * 512 float (or double) log-probs, validated and summed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LogprobSumBench {
  static final int ROWS = 4096;
  static final int PER_ROW = 512;

  @Param({"float", "double"})
  public String element;

  private BufferAllocator allocator;
  private ListVector logprobs;
  private BigIntVector tokens;
  private Float8Vector nllSum;
  private IntVector status;

  @Setup(Level.Trial)
  public void setUp() {
    allocator = new RootAllocator();
    logprobs = ListVector.empty("token_logprobs", allocator);
    boolean floats = element.equals("float");
    logprobs.addOrGetVector(
        FieldType.nullable(
            new ArrowType.FloatingPoint(
                floats ? FloatingPointPrecision.SINGLE : FloatingPointPrecision.DOUBLE)));
    logprobs.allocateNew();
    for (int r = 0; r < ROWS; r++) {
      logprobs.startNewValue(r);
      logprobs.endValue(r, PER_ROW);
    }
    logprobs.setValueCount(ROWS);
    FieldVector child = logprobs.getDataVector();
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    for (int i = 0; i < ROWS * PER_ROW; i++) {
      double value = Math.log(random.nextDouble(1e-6, 1.0));
      if (floats) {
        ((Float4Vector) child).setSafe(i, (float) value);
      } else {
        ((Float8Vector) child).setSafe(i, value);
      }
    }
    child.setValueCount(ROWS * PER_ROW);
    tokens = new BigIntVector("tokens", allocator);
    nllSum = new Float8Vector("nll_sum", allocator);
    status = new IntVector("status", allocator);
    status.allocateNew(ROWS);
    status.setValueCount(ROWS);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    status.close();
    nllSum.close();
    tokens.close();
    logprobs.close();
    allocator.close();
  }

  @Benchmark
  @OperationsPerInvocation(ROWS * PER_ROW)
  public double sum() {
    status.zeroVector();
    LogprobSumKernel.apply(logprobs, 1e-4, tokens, nllSum, status);
    return nllSum.get(ROWS - 1);
  }
}
