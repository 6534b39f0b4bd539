package dev.softmetrics.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/**
 * A task's gathered sequences and key hashes survive the Java serialization that carries a task's
 * result to the driver: every value, in order, bit for bit, across the blocks they are written in.
 */
class TaskResultSerializationTest {

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  /** Sequence i's NLL: i / 3 in nats, with a subnormal and a zero among them. */
  private static double nll(int i) {
    return switch (i % 1000) {
      case 2 -> 0.0;
      case 4 -> Double.MIN_VALUE;
      default -> i / 3.0;
    };
  }

  @Test
  void aGroupsSequencesComeBackInOrderAcrossBlocks() throws Exception {
    int n = 20_001; // more than two blocks of 8192 values
    GroupSample sample = new GroupSample(3);
    for (int i = 0; i < n; i++) {
      sample.add(i * (1L << 40) - 7, nll(i), 500 + i, (1L << 33) + i);
    }
    GroupSample back = roundTrip(sample);
    assertThat(back.size()).isEqualTo(n);
    assertThat(back.complete()).isTrue();
    for (int i = 0; i < n; i++) {
      assertThat(back.key(i)).isEqualTo(i * (1L << 40) - 7);
      assertThat(Double.doubleToRawLongBits(back.nll(i)))
          .isEqualTo(Double.doubleToRawLongBits(nll(i)));
      assertThat(back.tokens(i)).isEqualTo(500 + i);
      assertThat(back.bytes(i)).isEqualTo((1L << 33) + i);
    }
    // A sample read back still grows and merges.
    back.add(42, 1.5, 2, 3);
    back.merge(roundTrip(new GroupSample(3)));
    assertThat(back.size()).isEqualTo(n + 1);
    assertThat(back.key(n)).isEqualTo(42);
  }

  @Test
  void emptyAndDroppedSamplesComeBackAsTheyWere() throws Exception {
    GroupSample empty = roundTrip(new GroupSample(2));
    assertThat(empty.size()).isZero();
    empty.add(1, 2.0, 3, 4);
    assertThat(empty.key(0)).isEqualTo(1);

    GroupSample dropped = new GroupSample(2);
    dropped.add(1, 2.0, 3, 4);
    dropped.dropSequences();
    GroupSample back = roundTrip(dropped);
    assertThat(back.complete()).isFalse();
    assertThat(back.size()).isZero();
  }

  @Test
  void keyHashesComeBackInOrder() throws Exception {
    KeyHashes hashes = new KeyHashes();
    int n = 8192 * 3 + 5;
    for (int i = 0; i < n; i++) {
      hashes.add(0x9E3779B97F4A7C15L * i);
    }
    KeyHashes back = roundTrip(hashes);
    assertThat(back.count()).isEqualTo(n);
    long[] values = new long[n];
    assertThat(back.copyTo(values, 0)).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(values[i]).isEqualTo(0x9E3779B97F4A7C15L * i);
    }
    KeyHashes none = roundTrip(new KeyHashes());
    assertThat(none.count()).isZero();
    none.add(7);
    assertThat(none.count()).isEqualTo(1);
  }
}
