package dev.softmetrics.demo.europarl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class LogitsRowsTest {
  private static final DemoTokenizer TOKENIZER = DemoTokenizer.R50K_BASE;
  private static final int V = TOKENIZER.vocabSize();

  /** A made-up distribution whose values tell the position and the id apart. */
  private static final LogitsRows.Distribution MODEL =
      (tokens, t, out) -> {
        for (int w = 0; w < out.length; w++) {
          out[w] = -1 - t - (w % 7) / 8.0;
        }
      };

  @Test
  void chunksCarryTheirPositionsTargetsAndBfloat16Blobs() {
    int[] tokens = new int[30];
    for (int t = 0; t < tokens.length; t++) {
      tokens[t] = 100 + t;
    }
    List<Row> rows =
        LogitsRows.rows(
            new PolicyScorer.Labels("s", "m", TOKENIZER, "en"),
            tokens,
            4,
            MODEL,
            null,
            "text",
            4,
            false);

    // Positions 4 .. 29: chunks of 12, 12 and 2, numbered from the first scored position.
    assertThat(rows).hasSize(3);
    assertThat(rows).extracting(r -> r.getInt(4)).containsExactly(0, 12, 24);
    assertThat((int[]) rows.get(2).get(5)).containsExactly(128, 129);
    assertThat(rows).allSatisfy(r -> assertThat(r.getString(7)).isEqualTo("bfloat16"));
    assertThat(rows).allSatisfy(r -> assertThat(r.get(9)).isNull());
    assertThat(rows).extracting(r -> r.get(10)).containsExactly("text", null, null);
    assertThat(rows).extracting(r -> r.get(11)).containsExactly(4L, null, null);
    ByteBuffer blob = ByteBuffer.wrap((byte[]) rows.get(1).get(8)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(blob.remaining()).isEqualTo(12 * V * 2);
    // Position 16 (the second chunk's first), id 3: -1 - 16 - 3/8 = -17.375, exact in bfloat16.
    assertThat(bfloat16(blob, 3)).isEqualTo(-17.375f);
    // Position 17, id 5: -18.625; position 17, id 50,256 (50,256 % 7 = 3): -18.375.
    assertThat(bfloat16(blob, V + 5)).isEqualTo(-18.625f);
    assertThat(bfloat16(blob, 2 * V - 1)).isEqualTo(-18.375f);
  }

  private static float bfloat16(ByteBuffer blob, int element) {
    return Float.intBitsToFloat((blob.getShort(element * 2) & 0xFFFF) << 16);
  }

  @Test
  void aBrokenSequenceHasVAsItsLastTarget() {
    int[] tokens = {1, 2, 3};
    List<Row> rows =
        LogitsRows.rows(
            new PolicyScorer.Labels("s", "m", TOKENIZER, "en"),
            tokens,
            0,
            MODEL,
            MODEL,
            null,
            3,
            true);
    assertThat((int[]) rows.get(0).get(5)).containsExactly(1, 2, V);
    assertThat((byte[]) rows.get(0).get(9)).hasSize(3 * V * 2);
    assertThat(rows.get(0).get(10)).isNull();
  }
}
