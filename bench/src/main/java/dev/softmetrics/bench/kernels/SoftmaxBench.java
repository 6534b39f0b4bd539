package dev.softmetrics.bench.kernels;

import dev.softmetrics.udfs.logits.PositionMetrics;
import dev.softmetrics.udfs.logits.SoftmaxKernel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The logits kernel in nanoseconds per vocabulary element, scalar against Vector API: NLL and
 * entropy of a position ({@code score*}), and the same for a model and a reference with KL in both
 * directions ({@code withReference*}, per element of one of the two distributions), at V = 32k and
 * 256k. Each invocation scores 8 positions of Gaussian logits (spread 4), so that one position's
 * logits are not in L1 from the call before.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SoftmaxBench {
  static final int POSITIONS = 8;
  static final int SMALL = 32_000;
  static final int LARGE = 256_000;

  @Param({"scalar", "vector"})
  public String kernelName;

  private SoftmaxKernel kernel;
  private Logits small;
  private Logits large;
  private final PositionMetrics out = new PositionMetrics();

  /** POSITIONS positions of model and reference logits, and a target per position. */
  private record Logits(int vocab, float[] model, float[] reference, int[] targets) {
    static Logits random(int vocab, SplittableRandom random) {
      float[] model = new float[POSITIONS * vocab];
      float[] reference = new float[POSITIONS * vocab];
      for (int i = 0; i < model.length; i++) {
        model[i] = (float) (gaussian(random) * 4);
        reference[i] = model[i] + (float) (gaussian(random) * 0.5);
      }
      int[] targets = new int[POSITIONS];
      for (int p = 0; p < POSITIONS; p++) {
        targets[p] = random.nextInt(vocab);
      }
      return new Logits(vocab, model, reference, targets);
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    kernel = kernelName.equals("vector") ? SoftmaxKernel.vector() : SoftmaxKernel.scalar();
    SplittableRandom random = new SplittableRandom(1);
    small = Logits.random(SMALL, random);
    large = Logits.random(LARGE, random);
  }

  private static double gaussian(SplittableRandom random) {
    return Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
        * Math.cos(2 * Math.PI * random.nextDouble());
  }

  private double score(Logits l) {
    double sum = 0;
    for (int p = 0; p < POSITIONS; p++) {
      kernel.score(l.model(), p * l.vocab(), l.vocab(), l.targets()[p], out);
      sum += out.entropy + out.nll;
    }
    return sum;
  }

  private double withReference(Logits l) {
    double sum = 0;
    for (int p = 0; p < POSITIONS; p++) {
      kernel.scoreWithReference(
          l.model(), p * l.vocab(), l.reference(), p * l.vocab(), l.vocab(), l.targets()[p], out);
      sum += out.klForward + out.klReverse;
    }
    return sum;
  }

  /** NLL and entropy, per vocabulary element, V = 32k. */
  @Benchmark
  @OperationsPerInvocation(POSITIONS * SMALL)
  public double score32k() {
    return score(small);
  }

  /** NLL and entropy, per vocabulary element, V = 256k. */
  @Benchmark
  @OperationsPerInvocation(POSITIONS * LARGE)
  public double score256k() {
    return score(large);
  }

  /** Both distributions' NLL and entropy and KL both ways, per element of one, V = 32k. */
  @Benchmark
  @OperationsPerInvocation(POSITIONS * SMALL)
  public double withReference32k() {
    return withReference(small);
  }

  /** The same at V = 256k. */
  @Benchmark
  @OperationsPerInvocation(POSITIONS * LARGE)
  public double withReference256k() {
    return withReference(large);
  }
}
