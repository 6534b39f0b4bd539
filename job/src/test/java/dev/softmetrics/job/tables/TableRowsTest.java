package dev.softmetrics.job.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.softmetrics.udfs.Rejection;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** The typed rows convert to their table's column order, with absent figures as nulls. */
class TableRowsTest {
  private static final UTF8String RUN = UTF8String.fromString("run-1");
  private static final UTF8String FILE = UTF8String.fromString("file:/in/part-0.parquet");

  @Test
  void aSequenceRowPutsEachFieldUnderItsColumn() {
    double[] soft = SoftColumn.none();
    soft[SoftColumn.MEAN_ENTROPY.ordinal()] = 6.0;
    soft[SoftColumn.KL_K3.ordinal()] = 0.75;
    PositionBuckets.Sums positions = new PositionBuckets.Sums();
    positions.add(0, 1.0, Double.NaN);
    positions.add(1, 1.5, Double.NaN);
    positions.add(2, 2.0, Double.NaN);
    InternalRow row =
        new SequenceRow(
                RUN,
                utf8("s1"),
                utf8("m"),
                utf8("t"),
                utf8("d"),
                3,
                4.5,
                1.5,
                Math.exp(1.5),
                12,
                11,
                -1,
                soft,
                50_257,
                FILE,
                positions,
                SequenceRow.NO_EXTRA_LABELS)
            .toInternalRow();
    StructType schema = Tables.SEQUENCES.schema();

    assertThat(row.numFields()).isEqualTo(schema.size());
    assertThat(row.getUTF8String(schema.fieldIndex("run_id"))).isEqualTo(RUN);
    assertThat(row.getUTF8String(schema.fieldIndex("sequence_id"))).isEqualTo(utf8("s1"));
    assertThat(row.getUTF8String(schema.fieldIndex("domain"))).isEqualTo(utf8("d"));
    assertThat(row.getLong(schema.fieldIndex("tokens"))).isEqualTo(3);
    assertThat(row.getDouble(schema.fieldIndex("nll_sum"))).isEqualTo(4.5);
    assertThat(row.getDouble(schema.fieldIndex("mean_nll"))).isEqualTo(1.5);
    assertThat(row.getLong(schema.fieldIndex("bytes"))).isEqualTo(12);
    assertThat(row.getLong(schema.fieldIndex("chars"))).isEqualTo(11);
    assertThat(row.isNullAt(schema.fieldIndex("words"))).isTrue();
    assertThat(row.getDouble(schema.fieldIndex("mean_entropy"))).isEqualTo(2.0);
    assertThat(row.getDouble(schema.fieldIndex("kl_k3"))).isEqualTo(0.25);
    assertThat(row.isNullAt(schema.fieldIndex("kl_forward"))).isTrue();
    assertThat(row.getLong(schema.fieldIndex("vocab_size"))).isEqualTo(50_257);
    assertThat(row.getUTF8String(schema.fieldIndex("source_file"))).isEqualTo(FILE);
    assertThat(row.getUTF8String(SequenceRow.SOURCE_FILE)).isEqualTo(FILE);
    assertThat(row.getArray(schema.fieldIndex("position_tokens")).toLongArray())
        .containsExactly(1, 2);
    assertThat(row.getArray(schema.fieldIndex("position_nll_sum")).toDoubleArray())
        .containsExactly(1.0, 3.5);
    assertThat(row.isNullAt(schema.fieldIndex("position_entropy_sum"))).as("no entropies").isTrue();
  }

  @Test
  void anUnknownVocabularyIsNull() {
    InternalRow row =
        new SequenceRow(
                RUN,
                utf8("s"),
                utf8("m"),
                utf8("t"),
                utf8("d"),
                1,
                0.5,
                0.5,
                1.6,
                1,
                -1,
                -1,
                SoftColumn.none(),
                0,
                FILE,
                null,
                SequenceRow.NO_EXTRA_LABELS)
            .toInternalRow();

    assertThat(row.isNullAt(Tables.SEQUENCES.schema().fieldIndex("vocab_size"))).isTrue();
    assertThat(row.isNullAt(Tables.SEQUENCES.schema().fieldIndex("chars"))).isTrue();
  }

  /**
   * With extra labels (and a long sequence id, past the row's first buffer) every column is where
   * the widened schema says, read back by name from the schema, and absent figures are null.
   */
  @Test
  void extraLabelsGoAfterTheTokenizerAndShiftTheRest() {
    PositionBuckets.Sums positions = new PositionBuckets.Sums();
    positions.add(0, 2.0, 0.5);
    positions.add(5, 4.0, 0.25);
    String longId = "s".repeat(5000);
    InternalRow row =
        new SequenceRow(
                RUN,
                utf8(longId),
                utf8("m"),
                utf8("t"),
                utf8("d"),
                7,
                6.0,
                6.0 / 7,
                Math.exp(6.0 / 7),
                40,
                30,
                -1,
                SoftColumn.none(),
                32000,
                FILE,
                positions,
                new UTF8String[] {utf8("x-value"), null})
            .toInternalRow();
    StructType schema =
        Tables.withExtraLabels(Tables.SEQUENCES, java.util.List.of("lang", "split")).schema();

    assertThat(row.numFields()).isEqualTo(schema.size());
    assertThat(row.getUTF8String(schema.fieldIndex("sequence_id")).toString()).isEqualTo(longId);
    assertThat(row.getUTF8String(schema.fieldIndex("tokenizer"))).isEqualTo(utf8("t"));
    assertThat(row.getUTF8String(schema.fieldIndex("lang"))).isEqualTo(utf8("x-value"));
    assertThat(row.isNullAt(schema.fieldIndex("split"))).isTrue();
    assertThat(row.getUTF8String(schema.fieldIndex("domain"))).isEqualTo(utf8("d"));
    assertThat(row.getLong(schema.fieldIndex("tokens"))).isEqualTo(7);
    assertThat(row.getDouble(schema.fieldIndex("nll_sum"))).isEqualTo(6.0);
    assertThat(row.getLong(schema.fieldIndex("bytes"))).isEqualTo(40);
    assertThat(row.getLong(schema.fieldIndex("chars"))).isEqualTo(30);
    assertThat(row.isNullAt(schema.fieldIndex("words"))).isTrue();
    assertThat(row.isNullAt(schema.fieldIndex("mean_entropy"))).isTrue();
    assertThat(row.getLong(schema.fieldIndex("vocab_size"))).isEqualTo(32000);
    assertThat(row.getUTF8String(schema.fieldIndex("source_file"))).isEqualTo(FILE);
    // Position 0 is bucket 0; position 5 is bucket 2 (positions 3 to 6): bucket 1 is empty.
    assertThat(row.getArray(schema.fieldIndex("position_tokens")).toLongArray())
        .containsExactly(1, 0, 1);
    assertThat(row.getArray(schema.fieldIndex("position_nll_sum")).toDoubleArray())
        .containsExactly(2.0, 0.0, 4.0);
    assertThat(row.getArray(schema.fieldIndex("position_entropy_sum")).toDoubleArray())
        .containsExactly(0.5, 0.0, 0.25);
  }

  @Test
  void aRejectedRowKeepsNullLabelsAndSaysWhy() {
    InternalRow row =
        new RejectedRow(RUN, null, utf8("m"), null, null, FILE, 987, Rejection.NULL_LOGPROB, "why")
            .toInternalRow();
    StructType schema = Tables.REJECTED.schema();

    assertThat(row.numFields()).isEqualTo(schema.size());
    assertThat(row.isNullAt(schema.fieldIndex("sequence_id"))).isTrue();
    assertThat(row.getUTF8String(schema.fieldIndex("model"))).isEqualTo(utf8("m"));
    assertThat(row.getLong(schema.fieldIndex("source_row"))).isEqualTo(987);
    assertThat(row.getUTF8String(RejectedRow.REASON)).isEqualTo(utf8("NULL_LOGPROB"));
    assertThat(row.getUTF8String(schema.fieldIndex("message"))).isEqualTo(utf8("why"));
  }

  @Test
  void sequencesAndCorpusTakeTheSoftColumnsFromOneList() {
    for (SoftColumn c : SoftColumn.values()) {
      assertThat(Tables.SEQUENCES.columns()).contains(c.column());
      assertThat(Tables.CORPUS.columns()).contains(c.column());
    }
  }

  @Test
  void aColumnATableLacksHasNoOrdinal() {
    assertThatThrownBy(() -> Tables.REJECTED.ordinal(Columns.TOKENS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Table rejected/ has no column tokens");
    assertThatThrownBy(() -> Projection.of(Columns.MODEL).ordinal(Columns.DOMAIN))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Column domain is not selected");
  }

  private static UTF8String utf8(String s) {
    return UTF8String.fromString(s);
  }
}
