package dev.softmetrics.bench.kernels;

import dev.softmetrics.udfs.bootstrap.PoissonWeights;
import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bootstrap's inner work in nanoseconds per (sequence, replicate): a sequence's Poisson weights
 * in 1000 replicates, and its NLL, tokens and bytes added to one group's replicate sums, as the
 * scoring tasks do for every scored row ({@code drawnSums}: weights drawn inside the sums' loop,
 * with the Vector API; {@code drawnSumsScalar}: the same loop without it; {@code weightsAndSums}: a
 * weights array first, as the comparisons' signatures do).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class BootstrapBench {
  static final int REPLICATES = 1000;
  static final int SEQUENCES = 64;

  private final long[] keys = new long[SEQUENCES];
  private final double[] nll = new double[SEQUENCES];
  private final int[] weights = new int[REPLICATES];
  private ReplicateSums sums;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < SEQUENCES; i++) {
      keys[i] = PoissonWeights.sequenceKey(1, "en", "seq-" + i);
      nll[i] = 500 + random.nextDouble() * 1500;
    }
    sums = new ReplicateSums(REPLICATES);
  }

  /** Weights alone. */
  @Benchmark
  @OperationsPerInvocation(SEQUENCES * REPLICATES)
  public int weights() {
    int acc = 0;
    for (int i = 0; i < SEQUENCES; i++) {
      PoissonWeights.weights(keys[i], weights);
      acc += weights[i];
    }
    return acc;
  }

  /** Weights, then the sums. */
  @Benchmark
  @OperationsPerInvocation(SEQUENCES * REPLICATES)
  public ReplicateSums weightsAndSums() {
    for (int i = 0; i < SEQUENCES; i++) {
      PoissonWeights.weights(keys[i], weights);
      sums.add(weights, nll[i], 512, 2300);
    }
    return sums;
  }

  /** Weights drawn in the sums' loop, with the Vector API where the JVM has it. */
  @Benchmark
  @OperationsPerInvocation(SEQUENCES * REPLICATES)
  public ReplicateSums drawnSums() {
    for (int i = 0; i < SEQUENCES; i++) {
      sums.addDrawn(keys[i], nll[i], 512, 2300);
    }
    return sums;
  }

  /** {@link #drawnSums} without the Vector API. */
  @Benchmark
  @OperationsPerInvocation(SEQUENCES * REPLICATES)
  @Fork(
      value = 1,
      jvmArgsAppend = {
        "--add-modules",
        "jdk.incubator.vector",
        "-Dsoftmetrics.bootstrap.scalar=true"
      })
  public ReplicateSums drawnSumsScalar() {
    return drawnSums();
  }
}
