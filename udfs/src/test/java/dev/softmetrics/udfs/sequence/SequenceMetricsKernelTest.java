package dev.softmetrics.udfs.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SequenceMetricsKernelTest {

  private static final double LN_2 = Math.log(2);
  private static final double LN_8 = Math.log(8);

  private BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  @Test
  void meanNllAndPerplexityPerDocument() {
    try (BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nllSum = new Float8Vector("nll_sum", allocator);
        Float8Vector meanNll = new Float8Vector("mean_nll", allocator);
        Float8Vector ppl = new Float8Vector("ppl", allocator)) {
      tokens.setSafe(0, 10);
      nllSum.setSafe(0, 10 * LN_2);
      tokens.setSafe(1, 90);
      nllSum.setSafe(1, 90 * LN_8);
      tokens.setValueCount(2);
      nllSum.setValueCount(2);

      SequenceMetricsKernel.apply(tokens, nllSum, meanNll, ppl);

      assertThat(meanNll.getValueCount()).isEqualTo(2);
      assertThat(ppl.getValueCount()).isEqualTo(2);
      assertThat(meanNll.get(0)).isCloseTo(LN_2, within(1e-15));
      assertThat(meanNll.get(1)).isCloseTo(LN_8, within(1e-15));
      assertThat(ppl.get(0)).isCloseTo(2.0, within(1e-14));
      assertThat(ppl.get(1)).isCloseTo(8.0, within(1e-14));
    }
  }

  @Test
  void nullInputsAndNoTokensGiveNullOutputs() {
    try (BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nllSum = new Float8Vector("nll_sum", allocator);
        Float8Vector meanNll = new Float8Vector("mean_nll", allocator);
        Float8Vector ppl = new Float8Vector("ppl", allocator)) {
      tokens.setNull(0);
      nllSum.setSafe(0, 1.0);
      tokens.setSafe(1, 4);
      nllSum.setNull(1);
      tokens.setSafe(2, 0);
      nllSum.setSafe(2, 0.0);
      tokens.setSafe(3, 4);
      nllSum.setSafe(3, 2.0);
      tokens.setValueCount(4);
      nllSum.setValueCount(4);

      SequenceMetricsKernel.apply(tokens, nllSum, meanNll, ppl);

      for (int i = 0; i < 3; i++) {
        assertThat(meanNll.isNull(i)).as("mean_nll row %d", i).isTrue();
        assertThat(ppl.isNull(i)).as("ppl row %d", i).isTrue();
      }
      assertThat(meanNll.get(3)).isEqualTo(0.5);
      assertThat(ppl.get(3)).isEqualTo(Math.exp(0.5));
    }
  }

  @Test
  void mismatchedValueCountsAreRejected() {
    try (BigIntVector tokens = new BigIntVector("tokens", allocator);
        Float8Vector nllSum = new Float8Vector("nll_sum", allocator);
        Float8Vector meanNll = new Float8Vector("mean_nll", allocator);
        Float8Vector ppl = new Float8Vector("ppl", allocator)) {
      tokens.setSafe(0, 1);
      tokens.setValueCount(1);

      assertThatThrownBy(() -> SequenceMetricsKernel.apply(tokens, nllSum, meanNll, ppl))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid nll_sum vector nll_sum: 0 values (must have the 1 values of tokens)");
    }
  }
}
