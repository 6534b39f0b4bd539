package dev.softmetrics.bench.kernels;

import dev.softmetrics.corpora.SyntheticCorpus;
import dev.softmetrics.corpora.SyntheticSequence;
import dev.softmetrics.udfs.text.TextCountKernel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
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
 * The text kernel in nanoseconds per UTF-8 byte, on 1 MiB of the demo generator's text of one
 * domain (English, French with accents and typographic punctuation, Japanese).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TextCountBench {
  static final int BYTES = 1 << 20;

  @Param({"web-en", "news-fr", "forum-ja"})
  public String domain;

  private BufferAllocator allocator;
  private ArrowBuf text;

  @Setup(Level.Trial)
  public void setUp() {
    SyntheticCorpus corpus = new SyntheticCorpus(3, 512, 512, 0);
    byte[] bytes = new byte[BYTES];
    int filled = 0;
    for (long i = 0; filled < BYTES; i++) {
      SyntheticSequence s = corpus.sequence(i);
      if (!s.domain().equals(domain)) {
        continue;
      }
      byte[] utf8 = (s.text() + " ").getBytes(StandardCharsets.UTF_8);
      int n = Math.min(utf8.length, BYTES - filled);
      while (n > 0 && n < utf8.length && (utf8[n] & 0xC0) == 0x80) {
        n--;
      }
      System.arraycopy(utf8, 0, bytes, filled, n);
      filled += n;
      if (n < utf8.length) {
        java.util.Arrays.fill(bytes, filled, BYTES, (byte) 'a');
        filled = BYTES;
      }
    }
    allocator = new RootAllocator();
    text = allocator.buffer(BYTES);
    text.setBytes(0, bytes);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    text.close();
    allocator.close();
  }

  @Benchmark
  @OperationsPerInvocation(BYTES)
  public long words() {
    return TextCountKernel.words(text, 0, BYTES);
  }

  @Benchmark
  @OperationsPerInvocation(BYTES)
  public long codePoints() {
    return TextCountKernel.codePoints(text, 0, BYTES);
  }
}
