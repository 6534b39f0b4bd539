package dev.softmetrics.udfs.logits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.udfs.Rejection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The chunk kernel on each logits form, against METRICS.md's vectors and values worked out by hand;
 * and every way a row can be malformed.
 */
class LogitsChunkKernelTest {
  private static final float NEG_INF = Float.NEGATIVE_INFINITY;
  private static final double LOG_P3 = -0.40760596444438;
  private static final double H123 = 0.8323955818399389;

  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() {
    allocator.close();
  }

  /** How a test writes its logits. */
  enum Form {
    FLOAT32,
    FLOAT16,
    BFLOAT16,
    FLAT_LIST,
    NESTED_LIST
  }

  /** One chunk: its targets and its logits, position by position (null: a null row). */
  private record Chunk(int[] targets, float[][] logits) {}

  /** The outputs of one kernel call, copied out so the vectors can be closed. */
  private record Result(
      int[] status,
      Long[] tokens,
      Double[] nll,
      Double[] entropy,
      Double[] klForward,
      Double[] klReverse,
      Double[] crossEntropy,
      int[] problemAt) {}

  private Result run(Form form, List<Chunk> chunks, List<Chunk> references, int[] prior) {
    int n = chunks.size();
    String dtype =
        switch (form) {
          case FLOAT16 -> "float16";
          case BFLOAT16 -> "bf16";
          default -> "float32";
        };
    try (ListVector targets = targets(chunks);
        FieldVector logits = logits(form, chunks);
        FieldVector ref = references == null ? null : logits(form, references);
        VarCharVector dtypes = strings(n, dtype);
        IntVector vocab = vocab(chunks);
        IntVector status = new IntVector("status", allocator);
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        IntVector vocabOut = new IntVector("vocab", allocator);
        Float8Vector nll = new Float8Vector("nll", allocator);
        Float8Vector entropy = new Float8Vector("entropy", allocator);
        Float8Vector klForward = new Float8Vector("klf", allocator);
        Float8Vector klReverse = new Float8Vector("klr", allocator);
        Float8Vector crossEntropy = new Float8Vector("ce", allocator);
        IntVector problemAt = new IntVector("at", allocator)) {
      status.allocateNew(n);
      for (int i = 0; i < n; i++) {
        status.set(i, prior == null ? 0 : prior[i]);
      }
      status.setValueCount(n);
      new LogitsChunkKernel(SoftmaxKernel.best())
          .apply(
              new LogitsChunkKernel.Input(
                  targets,
                  logits,
                  form == Form.FLAT_LIST || form == Form.NESTED_LIST ? null : dtypes,
                  form == Form.NESTED_LIST ? null : vocab,
                  ref),
              new LogitsChunkKernel.Output(
                  tokens, vocabOut, nll, entropy, klForward, klReverse, crossEntropy, problemAt),
              status);
      Result r =
          new Result(
              new int[n],
              new Long[n],
              new Double[n],
              new Double[n],
              new Double[n],
              new Double[n],
              new Double[n],
              new int[n]);
      for (int i = 0; i < n; i++) {
        r.status[i] = status.get(i);
        r.tokens[i] = tokens.getObject(i);
        r.nll[i] = nll.getObject(i);
        r.entropy[i] = entropy.getObject(i);
        r.problemAt[i] = problemAt.get(i);
        if (ref != null) {
          r.klForward[i] = klForward.getObject(i);
          r.klReverse[i] = klReverse.getObject(i);
          r.crossEntropy[i] = crossEntropy.getObject(i);
        }
      }
      return r;
    }
  }

  private ListVector targets(List<Chunk> chunks) {
    ListVector list = ListVector.empty("target_ids", allocator);
    list.addOrGetVector(FieldType.nullable(new ArrowType.Int(32, true)));
    IntVector ids = (IntVector) list.getDataVector();
    int at = 0;
    for (int row = 0; row < chunks.size(); row++) {
      int[] t = chunks.get(row).targets();
      if (t == null) {
        list.setNull(row);
        continue;
      }
      list.startNewValue(row);
      for (int id : t) {
        ids.setSafe(at++, id);
      }
      list.endValue(row, t.length);
    }
    ids.setValueCount(at);
    list.setValueCount(chunks.size());
    return list;
  }

  private FieldVector logits(Form form, List<Chunk> chunks) {
    return switch (form) {
      case FLOAT32 -> blob(chunks, LogitsDtype.FLOAT32);
      case FLOAT16 -> blob(chunks, LogitsDtype.FLOAT16);
      case BFLOAT16 -> blob(chunks, LogitsDtype.BFLOAT16);
      case FLAT_LIST -> flat(chunks);
      case NESTED_LIST -> nested(chunks);
    };
  }

  /** Little-endian elements, encoded here: every test value is exact in float16 and bfloat16. */
  private VarBinaryVector blob(List<Chunk> chunks, LogitsDtype dtype) {
    VarBinaryVector blob = new VarBinaryVector("logits", allocator);
    blob.allocateNew();
    for (int row = 0; row < chunks.size(); row++) {
      float[][] z = chunks.get(row).logits();
      if (z == null) {
        blob.setNull(row);
        continue;
      }
      int elements = 0;
      for (float[] p : z) {
        elements += p.length;
      }
      ByteBuffer bytes =
          ByteBuffer.allocate(elements * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] p : z) {
        for (float v : p) {
          switch (dtype) {
            case FLOAT32 -> bytes.putFloat(v);
            case BFLOAT16 -> bytes.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
            case FLOAT16 -> bytes.putShort(toFloat16(v));
          }
        }
      }
      blob.setSafe(row, bytes.array());
    }
    blob.setValueCount(chunks.size());
    return blob;
  }

  /** float16 bits of the values the tests use: 0, +-inf, NaN, and small integers and halves. */
  private static short toFloat16(float v) {
    if (Float.isNaN(v)) {
      return (short) 0x7E00;
    }
    if (Float.isInfinite(v)) {
      return (short) (v > 0 ? 0x7C00 : 0xFC00);
    }
    if (v == 0) {
      return 0;
    }
    int bits = Float.floatToRawIntBits(v);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
    int mantissa = (bits >>> 13) & 0x3FF;
    assertThat(bits & 0x1FFF).as("exact in float16").isZero();
    assertThat(exponent).as("normal in float16").isBetween(1, 30);
    return (short) (sign | (exponent << 10) | mantissa);
  }

  private ListVector flat(List<Chunk> chunks) {
    ListVector list = ListVector.empty("logits", allocator);
    list.addOrGetVector(
        FieldType.nullable(
            new ArrowType.FloatingPoint(
                org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)));
    Float4Vector values = (Float4Vector) list.getDataVector();
    int at = 0;
    for (int row = 0; row < chunks.size(); row++) {
      float[][] z = chunks.get(row).logits();
      if (z == null) {
        list.setNull(row);
        continue;
      }
      list.startNewValue(row);
      int count = 0;
      for (float[] p : z) {
        for (float v : p) {
          if (Float.floatToRawIntBits(v) == NULL_ELEMENT) {
            values.setNull(at++);
          } else {
            values.setSafe(at++, v);
          }
          count++;
        }
      }
      list.endValue(row, count);
    }
    values.setValueCount(at);
    list.setValueCount(chunks.size());
    return list;
  }

  /** A NaN payload that the list builders write as a null element. */
  private static final int NULL_ELEMENT = 0x7fc00001;

  private ListVector nested(List<Chunk> chunks) {
    ListVector list = ListVector.empty("logits", allocator);
    list.addOrGetVector(FieldType.nullable(ArrowType.List.INSTANCE));
    ListVector inner = (ListVector) list.getDataVector();
    inner.addOrGetVector(
        FieldType.nullable(
            new ArrowType.FloatingPoint(
                org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)));
    Float4Vector values = (Float4Vector) inner.getDataVector();
    int position = 0;
    int at = 0;
    for (int row = 0; row < chunks.size(); row++) {
      float[][] z = chunks.get(row).logits();
      if (z == null) {
        list.setNull(row);
        continue;
      }
      list.startNewValue(row);
      for (float[] p : z) {
        if (p == null) {
          inner.setNull(position++);
          continue;
        }
        inner.startNewValue(position);
        for (float v : p) {
          values.setSafe(at++, v);
        }
        inner.endValue(position++, p.length);
      }
      list.endValue(row, z.length);
    }
    values.setValueCount(at);
    inner.setValueCount(position);
    list.setValueCount(chunks.size());
    return list;
  }

  private VarCharVector strings(int n, String value) {
    VarCharVector v = new VarCharVector("logits_dtype", allocator);
    v.allocateNew();
    for (int i = 0; i < n; i++) {
      v.setSafe(i, value.getBytes(StandardCharsets.UTF_8));
    }
    v.setValueCount(n);
    return v;
  }

  /** vocab_size: the length of the chunk's first position, or null without logits. */
  private IntVector vocab(List<Chunk> chunks) {
    IntVector v = new IntVector("vocab_size", allocator);
    v.allocateNew(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      float[][] z = chunks.get(i).logits();
      if (z == null || z.length == 0 || z[0] == null) {
        v.setNull(i);
      } else {
        v.set(i, z[0].length);
      }
    }
    v.setValueCount(chunks.size());
    return v;
  }

  private Result run(Form form, Chunk... chunks) {
    return run(form, List.of(chunks), null, null);
  }

  private static Chunk chunk(int[] targets, float[]... logits) {
    return new Chunk(targets, logits);
  }

  /**
   * Per position, the NLL and entropy land at the target's element index; logits [1, 2, 3] give ln
   * p = [-2.4076, -1.4076, -0.4076] and H = 0.8324 (METRICS.md), uniform over 4 gives ln 4.
   */
  @Test
  void perPositionOutputsAreAtTheTargetsElementIndex() {
    List<Chunk> chunks =
        List.of(
            chunk(new int[] {0, 2}, new float[] {1, 2, 3}, new float[] {1, 2, 3}),
            chunk(new int[] {1}, new float[] {0, 0, 0, 0}));
    int n = chunks.size();
    try (ListVector targets = targets(chunks);
        FieldVector logits = logits(Form.NESTED_LIST, chunks);
        IntVector status = new IntVector("status", allocator);
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        IntVector vocabOut = new IntVector("vocab", allocator);
        Float8Vector nll = new Float8Vector("nll", allocator);
        Float8Vector entropy = new Float8Vector("entropy", allocator);
        IntVector problemAt = new IntVector("at", allocator);
        Float8Vector positionNll = new Float8Vector("position_nll", allocator);
        Float8Vector positionEntropy = new Float8Vector("position_entropy", allocator)) {
      status.allocateNew(n);
      for (int i = 0; i < n; i++) {
        status.set(i, 0);
      }
      status.setValueCount(n);
      new LogitsChunkKernel(SoftmaxKernel.best())
          .apply(
              new LogitsChunkKernel.Input(targets, logits, null, null, null),
              new LogitsChunkKernel.Output(
                  tokens, vocabOut, nll, entropy, null, null, null, problemAt),
              new LogitsChunkKernel.PositionOutput(positionNll, positionEntropy),
              status);
      assertThat(positionNll.getValueCount()).isEqualTo(3);
      assertThat(positionNll.get(0)).isCloseTo(2.40760596444438, within(1e-12));
      assertThat(positionNll.get(1)).isCloseTo(0.40760596444438, within(1e-12));
      assertThat(positionNll.get(2)).isCloseTo(Math.log(4), within(1e-12));
      assertThat(positionEntropy.get(0)).isCloseTo(0.8323955818399389, within(1e-12));
      assertThat(positionEntropy.get(1)).isCloseTo(0.8323955818399389, within(1e-12));
      assertThat(positionEntropy.get(2)).isCloseTo(Math.log(4), within(1e-12));
      assertThat(positionNll.get(0) + positionNll.get(1)).isEqualTo(nll.get(0));
    }
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void metricsVectorsInEveryForm(Form form) {
    Result r =
        run(
            form,
            chunk(new int[] {2}, new float[] {1, 2, 3}),
            chunk(
                new int[] {1, 0},
                new float[] {0.5f, 0.5f, 0.5f, 0.5f},
                new float[] {-1, -1, -1, -1}));
    assertThat(r.status).containsExactly(0, 0);
    assertThat(r.tokens).containsExactly(1L, 2L);
    assertThat(r.nll[0]).isCloseTo(-LOG_P3, within(1e-14));
    assertThat(r.entropy[0]).isCloseTo(H123, within(1e-14));
    // Uniform over 4 at both positions: NLL ln 4 each, entropy ln 4 each.
    assertThat(r.nll[1]).isCloseTo(2 * 1.3862943611198906, within(1e-14));
    assertThat(r.entropy[1]).isCloseTo(2 * Math.log(4), within(1e-14));
    assertThat(r.problemAt).containsExactly(-1, -1);
  }

  @Test
  void largeLogitsGiveTheSameNumbersAsSmallOnes() {
    Result r =
        run(
            Form.FLOAT32,
            chunk(
                new int[] {0, 2},
                new float[] {1000, 1001, 1002},
                new float[] {1e4f, 1e4f + 1, 1e4f + 2}));
    assertThat(r.nll[0]).isCloseTo(2.40760596444438 + 0.40760596444438, within(1e-13));
    assertThat(r.entropy[0]).isCloseTo(2 * H123, within(1e-13));
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void negativeInfinityIsATokenOfProbabilityZero(Form form) {
    Result r = run(form, chunk(new int[] {0}, new float[] {0, NEG_INF}));
    assertThat(r.status).containsExactly(0);
    assertThat(r.nll[0]).isEqualTo(0.0);
    assertThat(r.entropy[0]).isEqualTo(0.0);
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void referenceSumsAgainstMetricsVectors(Form form) {
    // The model is uniform over 3, the reference softmax([1, 2, 3]):
    // KL(P_ref || Q) = KL(P || U), KL(Q || P_ref) = KL(U || P), H(P_ref, Q) = ln 3.
    Result r =
        run(
            form,
            List.of(chunk(new int[] {1, 1}, new float[] {0, 0, 0}, new float[] {2, 2, 2})),
            List.of(chunk(new int[] {1, 1}, new float[] {1, 2, 3}, new float[] {1, 2, 3})),
            null);
    assertThat(r.status).containsExactly(0);
    assertThat(r.nll[0]).isCloseTo(2 * Math.log(3), within(1e-14));
    assertThat(r.klForward[0]).isCloseTo(2 * 0.26621670682817067, within(1e-14));
    assertThat(r.klReverse[0]).isCloseTo(2 * 0.3089936757762707, within(1e-14));
    assertThat(r.crossEntropy[0]).isCloseTo(2 * Math.log(3), within(1e-14));
  }

  @Test
  void identicalReferenceHasZeroKl() {
    float[] z = {-3, 0.5f, 2, 7.25f, NEG_INF, 1};
    Result r =
        run(
            Form.BFLOAT16,
            List.of(chunk(new int[] {3}, z)),
            List.of(chunk(new int[] {3}, z)),
            null);
    assertThat(r.klForward[0]).isCloseTo(0.0, within(1e-15));
    assertThat(r.klReverse[0]).isCloseTo(0.0, within(1e-15));
    assertThat(r.crossEntropy[0]).isCloseTo(r.entropy[0], within(1e-15));
  }

  @Test
  void aRowWithoutReferenceHasNoKlButIsScored() {
    Result r =
        run(
            Form.FLOAT32,
            List.of(
                chunk(new int[] {0}, new float[] {1, 2}), chunk(new int[] {0}, new float[] {1, 2})),
            List.of(chunk(new int[] {0}, new float[] {1, 2}), new Chunk(new int[] {0}, null)),
            null);
    assertThat(r.status).containsExactly(0, 0);
    assertThat(r.klForward[0]).isEqualTo(0.0);
    assertThat(r.klForward[1]).isNull();
    assertThat(r.nll[1]).isEqualTo(r.nll[0]);
  }

  @Test
  void halfPrecisionBlobsScoreLikeTheirFloatValues() {
    Chunk c =
        chunk(
            new int[] {1, 3},
            new float[] {-2.5f, 0.75f, 3, 1},
            new float[] {8, -0.125f, 0, NEG_INF});
    // Nothing the test values lose in float16 or bfloat16: the three blobs hold the same floats.
    Result f32 = run(Form.FLOAT32, c);
    Result f16 = run(Form.FLOAT16, c);
    Result b16 = run(Form.BFLOAT16, c);
    Result list = run(Form.NESTED_LIST, c);
    // Position 1's target (3) has logit -inf in every form.
    assertThat(f32.status).containsExactly(Rejection.TARGET_PROBABILITY_ZERO.id());
    assertThat(f32.problemAt).containsExactly(1);
    assertThat(f16.status).containsExactly(f32.status);
    assertThat(b16.status).containsExactly(f32.status);
    assertThat(list.status).containsExactly(f32.status);

    Chunk ok =
        chunk(
            new int[] {1, 2},
            new float[] {-2.5f, 0.75f, 3, 1},
            new float[] {8, -0.125f, 0, NEG_INF});
    Result a = run(Form.FLOAT32, ok);
    for (Form form : Form.values()) {
      Result other = run(form, ok);
      assertThat(other.nll).as(form.name()).containsExactly(a.nll);
      assertThat(other.entropy).as(form.name()).containsExactly(a.entropy);
    }
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void malformedRowsAreRejectedWithTheirReason(Form form) {
    float[] ok = {0, 1, 2};
    List<Chunk> chunks =
        List.of(
            new Chunk(null, new float[][] {ok}),
            new Chunk(new int[0], new float[][] {}),
            new Chunk(new int[] {0}, null),
            chunk(new int[] {0, 3}, ok, ok),
            chunk(new int[] {-1}, ok),
            chunk(new int[] {0, 1}, ok, new float[] {Float.NaN, 0, 0}),
            chunk(new int[] {0, 1}, ok, new float[] {NEG_INF, NEG_INF, NEG_INF}),
            chunk(new int[] {0}, new float[] {0, 1, Float.POSITIVE_INFINITY}),
            chunk(new int[] {0}, new float[] {NEG_INF, 0, 1}),
            chunk(new int[] {0, 1, 2}, ok, ok));
    Result r = run(form, chunks, null, null);
    assertThat(r.status)
        .containsExactly(
            Rejection.MISSING_TARGET_IDS.id(),
            Rejection.MISSING_TARGET_IDS.id(),
            Rejection.MISSING_LOGITS.id(),
            Rejection.INVALID_TARGET_ID.id(),
            Rejection.INVALID_TARGET_ID.id(),
            Rejection.INVALID_LOGIT.id(),
            Rejection.INVALID_LOGIT.id(),
            Rejection.INVALID_LOGIT.id(),
            Rejection.TARGET_PROBABILITY_ZERO.id(),
            Rejection.INVALID_LOGITS_SHAPE.id());
    assertThat(r.problemAt).containsExactly(-1, -1, -1, 1, 0, 1, 1, 0, 0, -1);
    for (int i = 0; i < chunks.size(); i++) {
      assertThat(r.nll[i]).isNull();
      assertThat(r.tokens[i]).isNull();
    }
  }

  @Test
  void aNullElementOfAListIsAnInvalidLogit() {
    float nullElement = Float.intBitsToFloat(NULL_ELEMENT);
    Result r =
        run(
            Form.FLAT_LIST,
            chunk(new int[] {0, 0}, new float[] {0, 1}, new float[] {nullElement, 1}));
    assertThat(r.status).containsExactly(Rejection.INVALID_LOGIT.id());
    assertThat(r.problemAt).containsExactly(1);
  }

  @Test
  void nestedPositionsMustAllHoldTheVocabulary() {
    Result r =
        run(
            Form.NESTED_LIST,
            chunk(new int[] {0, 0}, new float[] {0, 1}, new float[] {0, 1, 2}),
            chunk(new int[] {0, 0}, new float[] {0, 1}, null),
            chunk(new int[] {0}, new float[0]));
    assertThat(r.status)
        .containsExactly(
            Rejection.INVALID_LOGITS_SHAPE.id(),
            Rejection.INVALID_LOGITS_SHAPE.id(),
            Rejection.INVALID_VOCAB_SIZE.id());
  }

  @Test
  void blobsNeedADtypeAndAVocabularySize() {
    List<Chunk> chunks = List.of(chunk(new int[] {0}, new float[] {0, 1}));
    try (ListVector targets = targets(chunks);
        VarBinaryVector logits = blob(chunks, LogitsDtype.FLOAT32);
        VarCharVector unknown = strings(1, "int8");
        IntVector vocab = vocab(chunks);
        IntVector wrongVocab = new IntVector("vocab_size", allocator);
        IntVector status = new IntVector("status", allocator);
        BigIntVector tokens = new BigIntVector("tokens", allocator);
        IntVector vocabOut = new IntVector("vocab", allocator);
        Float8Vector nll = new Float8Vector("nll", allocator);
        Float8Vector entropy = new Float8Vector("entropy", allocator);
        IntVector problemAt = new IntVector("at", allocator)) {
      wrongVocab.allocateNew(1);
      wrongVocab.set(0, 3);
      wrongVocab.setValueCount(1);
      LogitsChunkKernel kernel = new LogitsChunkKernel(SoftmaxKernel.scalar());
      LogitsChunkKernel.Output out =
          new LogitsChunkKernel.Output(tokens, vocabOut, nll, entropy, null, null, null, problemAt);
      int[] expected = {
        Rejection.INVALID_LOGITS_DTYPE.id(),
        Rejection.INVALID_LOGITS_DTYPE.id(),
        Rejection.INVALID_VOCAB_SIZE.id(),
        Rejection.INVALID_LOGITS_SHAPE.id()
      };
      VarCharVector[] dtypes = {unknown, null, strings(1, "fp32"), null};
      IntVector[] vocabs = {vocab, vocab, null, wrongVocab};
      try {
        for (int c = 0; c < expected.length; c++) {
          status.allocateNew(1);
          status.set(0, 0);
          status.setValueCount(1);
          VarCharVector dtype = c == 3 ? dtypes[2] : dtypes[c];
          kernel.apply(
              new LogitsChunkKernel.Input(targets, logits, dtype, vocabs[c], null), out, status);
          assertThat(status.get(0)).as("case %d", c).isEqualTo(expected[c]);
        }
      } finally {
        dtypes[2].close();
      }
      // vocab_size 2 and float32: scored, and the output says V.
      status.set(0, 0);
      VarCharVector fp32 = strings(1, "FP32");
      try {
        kernel.apply(new LogitsChunkKernel.Input(targets, logits, fp32, vocab, null), out, status);
      } finally {
        fp32.close();
      }
      assertThat(status.get(0)).isZero();
      assertThat(vocabOut.get(0)).isEqualTo(2);
      assertThat(nll.get(0)).isCloseTo(Math.log1p(Math.E), within(1e-15));
    }
  }

  @Test
  void rowsAlreadyRejectedKeepTheirReason() {
    Result r =
        run(
            Form.FLOAT32,
            List.of(
                chunk(new int[] {0}, new float[] {0, 1}), chunk(new int[] {0}, new float[] {0, 1})),
            null,
            new int[] {Rejection.MISSING_LABEL.id(), 0});
    assertThat(r.status).containsExactly(Rejection.MISSING_LABEL.id(), 0);
    assertThat(r.nll[0]).isNull();
    assertThat(r.nll[1]).isNotNull();
  }

  @Test
  void referenceOfAnotherShapeOrWithoutDistributionIsRejected() {
    Result r =
        run(
            Form.FLOAT32,
            List.of(
                chunk(new int[] {0}, new float[] {0, 1}),
                chunk(new int[] {0}, new float[] {0, 1}),
                chunk(new int[] {0, 1}, new float[] {0, 1}, new float[] {0, 1})),
            List.of(
                chunk(new int[] {0}, new float[] {0, 1, 2}),
                chunk(new int[] {0}, new float[] {NEG_INF, NEG_INF}),
                chunk(new int[] {0, 1}, new float[] {0, 1}, new float[] {0, Float.NaN})),
            null);
    assertThat(r.status)
        .containsExactly(
            Rejection.INVALID_REF_LOGITS.id(),
            Rejection.INVALID_REF_LOGITS.id(),
            Rejection.INVALID_REF_LOGITS.id());
    assertThat(r.problemAt).containsExactly(-1, 0, 1);
  }

  @Test
  void shiftingAllLogitsChangesNothing() {
    float[] z = {0.25f, -1.5f, 3, 2, NEG_INF, 0};
    float[] shifted = new float[z.length];
    for (int i = 0; i < z.length; i++) {
      shifted[i] = z[i] + 64;
    }
    Result a = run(Form.FLOAT32, chunk(new int[] {2}, z));
    Result b = run(Form.FLOAT32, chunk(new int[] {2}, shifted));
    assertThat(b.nll[0]).isCloseTo(a.nll[0], within(1e-13));
    assertThat(b.entropy[0]).isCloseTo(a.entropy[0], within(1e-13));
  }
}
