package dev.softmetrics.corpora;

import java.util.List;

/**
 * A deterministic generator of full-vocabulary logits: two toy models and their reference models
 * scoring the documents of a {@link SyntheticCorpus} under a 1,024-token vocabulary, with numbers
 * that behave like a real model's.
 *
 * <h2>Layout</h2>
 *
 * Sequence {@code index} is document {@code index / 2} ({@code "doc-000042"}, the same ids as
 * {@link SyntheticCorpus}) scored by model {@code models().get(index % 2)} under tokenizer {@code
 * "toy-1k"}, V = {@link #VOCAB_SIZE}. Both sequences of a document share its text, domain, T and
 * target ids.
 *
 * <h2>Text and length</h2>
 *
 * A document draws T uniformly in [tokensMin, tokensMax]. Its text and domain are those that {@link
 * SyntheticCorpus} writes for document {@code index / 2} under bpe-32k with the count fixed at
 * round(0.75 T): a 1k vocabulary takes 4/3 as many tokens as a 32k one, so toy-1k has about 2.55
 * UTF-8 bytes per token in web-en, 2.2 in news-fr and 1.2 in forum-ja.
 *
 * <h2>Logits</h2>
 *
 * At each position the document has a true next-token distribution softmax(b) over ids [0, 1000): b
 * is unit Gaussian-ish noise plus 1 to 4 peaks, the highest raised by U[5.5, 11.5] and the others
 * by up to 3 less. The target id is drawn from it, so neither model's NLL is its own entropy. A
 * model's logits are z = alpha b + sigma noise + c, with c ~ U[-2, 4] per position (logits are not
 * centred), alpha 0.95 and sigma 1.1 for toy-small, 1 and 0.6 for toy-large: mean entropy near 2.9
 * and 2.55 nats, NLL near 2.85 and 2.6. The reference's logits are z + s noise, with s ~ U[0.4,
 * 1.2] per sequence: KL between the two is 0.05 to 0.5 nats per token.
 *
 * <h2>-Infinity</h2>
 *
 * Ids 1000 to 1023 are the padding rows of the output layer: toy-large masks them to -infinity
 * everywhere, toy-small gives them low finite logits. About one position in ten is constrained: a
 * block of 16 to 128 consecutive ids below 1000 is -infinity for both models and the truth. The
 * reference has -infinity exactly where its model does, so every KL is finite. The target is drawn
 * after masking, so it is never at -infinity, and at least 872 ids of every row stay finite.
 *
 * <h2>Precision</h2>
 *
 * Each sequence picks the dtype its blobs are written in: bfloat16 (70%), float16 (20%) or float32
 * (10%). The logits are rounded to it as they are made, and the derived log-prob form of {@link
 * SyntheticLogitsSequence} comes from the rounded values.
 *
 * <h2>Determinism</h2>
 *
 * A sequence depends only on (seed, index): the truth, masks and targets come from a SplitMix64
 * stream seeded by (seed, document), a model's noise from one seeded by (seed, index), and the
 * generator has no mutable state; the math is exact or {@link StrictMath}. So any Spark partition
 * can generate any sequence and get the same bits.
 */
public final class SyntheticLogits {

  /** V, the size of toy-1k's vocabulary (and of every logits row). */
  public static final int VOCAB_SIZE = 1024;

  /** How many log-probs {@code topLogprobs} keeps per position. */
  public static final int TOP_K = 5;

  private static final List<String> MODELS = List.of("toy-small", "toy-large");
  private static final String TOKENIZER = "toy-1k";

  /** Ids at and above this are padding rows, never a target. */
  private static final int REAL_TOKENS = 1000;

  private static final int MAX_TOKENS = 4096;
  private static final double TEXT_TOKENS_PER_TOKEN = 0.75;

  /** Indexed like {@link #MODELS}: how sharp a model's logits are, and how noisy. */
  private static final double[] MODEL_ALPHA = {0.95, 1.0};

  private static final double[] MODEL_SIGMA = {1.1, 0.6};
  private static final boolean[] MODEL_MASKS_PADDING = {false, true};
  private static final double PADDING_LOGIT = -4.0;

  private static final double CONSTRAINED_RATE = 0.1;
  private static final long DOCUMENT_STREAM = 0x444F43554D454E54L;
  private static final long MODEL_STREAM = 0x4D4F44454C4C4F47L;

  private final long seed;
  private final int tokensMin;
  private final int tokensMax;

  /**
   * Describes a corpus; no sequence is generated until {@link #sequence(long)} asks for it.
   *
   * @param seed selects the corpus: the same seed gives the same sequences
   * @param tokensMin the fewest positions a document has, at least 1
   * @param tokensMax the most positions a document has, in [tokensMin, 4096]
   * @throws IllegalArgumentException if a bound is out of range
   */
  public SyntheticLogits(long seed, int tokensMin, int tokensMax) {
    if (tokensMin < 1) {
      throw new IllegalArgumentException(
          String.format("Invalid tokensMin: %s (must be >= 1)", tokensMin));
    }
    if (tokensMax < tokensMin || tokensMax > MAX_TOKENS) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid tokensMax: %s (must be in [tokensMin, %s] = [%s, %s])",
              tokensMax, MAX_TOKENS, tokensMin, MAX_TOKENS));
    }
    this.seed = seed;
    this.tokensMin = tokensMin;
    this.tokensMax = tokensMax;
  }

  /** The model names: sequence {@code index} is scored by {@code models().get(index % 2)}. */
  public List<String> models() {
    return MODELS;
  }

  /** The one tokenizer's name. */
  public String tokenizer() {
    return TOKENIZER;
  }

  /**
   * Generates sequence {@code index}; it depends only on the seed and the index. Costs O(T V) time
   * and allocates about 8 T V bytes, owned by the caller.
   *
   * @throws IllegalArgumentException if {@code index < 0}
   */
  public SyntheticLogitsSequence sequence(long index) {
    if (index < 0) {
      throw new IllegalArgumentException(String.format("Invalid index: %s (must be >= 0)", index));
    }
    long document = index / MODELS.size();
    int model = (int) (index % MODELS.size());
    SplitMixStream truth =
        new SplitMixStream(SplitMixStream.streamSeed(seed, DOCUMENT_STREAM, document));
    SplitMixStream noise = new SplitMixStream(SplitMixStream.streamSeed(seed, MODEL_STREAM, index));

    int tokens = tokensMin + truth.nextInt(tokensMax - tokensMin + 1);
    int textTokens = (int) Math.max(1, Math.round(tokens * TEXT_TOKENS_PER_TOKEN));
    SyntheticCorpus texts = new SyntheticCorpus(seed, textTokens, textTokens, 0);
    SyntheticSequence source = texts.sequence(document * texts.sequencesPerDocument());

    double p = noise.nextDouble();
    BlobDtype dtype =
        p < 0.7 ? BlobDtype.BFLOAT16 : p < 0.9 ? BlobDtype.FLOAT16 : BlobDtype.FLOAT32;
    double refSigma = 0.4 + 0.8 * noise.nextDouble();

    int[] targets = new int[tokens];
    float[] logits = new float[tokens * VOCAB_SIZE];
    float[] refLogits = new float[tokens * VOCAB_SIZE];
    double[] truthRow = new double[VOCAB_SIZE];
    for (int t = 0; t < tokens; t++) {
      targets[t] = truthAndTarget(truth, truthRow);
      modelRows(noise, truthRow, model, refSigma, dtype, logits, refLogits, t * VOCAB_SIZE);
    }

    double[] tokenLogprobs = new double[tokens];
    double[] entropies = new double[tokens];
    double[] refLogprobs = new double[tokens];
    double[][] top = new double[tokens][];
    for (int t = 0; t < tokens; t++) {
      LogSoftmaxRow row = new LogSoftmaxRow(logits, t * VOCAB_SIZE, VOCAB_SIZE);
      tokenLogprobs[t] = row.logprob(targets[t]);
      entropies[t] = row.entropy();
      top[t] = row.top(TOP_K);
      refLogprobs[t] = new LogSoftmaxRow(refLogits, t * VOCAB_SIZE, VOCAB_SIZE).logprob(targets[t]);
    }
    return new SyntheticLogitsSequence(
        source.sequenceId(),
        MODELS.get(model),
        TOKENIZER,
        source.domain(),
        source.text(),
        VOCAB_SIZE,
        dtype,
        targets,
        logits,
        refLogits,
        tokenLogprobs,
        entropies,
        refLogprobs,
        top);
  }

  /**
   * Fills {@code row} with the document's true logits at the next position (-infinity where no
   * token may follow) and draws the target from their softmax.
   */
  private static int truthAndTarget(SplitMixStream random, double[] row) {
    for (int i = 0; i < REAL_TOKENS; i++) {
      row[i] = random.nextNoise();
    }
    for (int i = REAL_TOKENS; i < VOCAB_SIZE; i++) {
      row[i] = Double.NEGATIVE_INFINITY;
    }
    int peaks = 1 + random.nextInt(4);
    double boost = 5.5 + 6.0 * random.nextDouble();
    for (int k = 0; k < peaks; k++) {
      row[random.nextInt(REAL_TOKENS)] += k == 0 ? boost : boost - 3.0 * random.nextDouble();
    }
    if (random.nextDouble() < CONSTRAINED_RATE) {
      int length = 16 + random.nextInt(113);
      int start = random.nextInt(REAL_TOKENS - length + 1);
      for (int i = start; i < start + length; i++) {
        row[i] = Double.NEGATIVE_INFINITY;
      }
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double b : row) {
      max = Math.max(max, b);
    }
    double sum = 0;
    for (double b : row) {
      sum += StrictMath.exp(b - max);
    }
    double u = random.nextDouble() * sum;
    int last = 0;
    for (int i = 0; i < VOCAB_SIZE; i++) {
      if (row[i] != Double.NEGATIVE_INFINITY) {
        last = i;
        u -= StrictMath.exp(row[i] - max);
        if (u < 0) {
          return i;
        }
      }
    }
    // Rounding left a sliver of u: the last possible token takes it.
    return last;
  }

  /** Writes one position of a model's and its reference's logits, rounded to {@code dtype}. */
  private static void modelRows(
      SplitMixStream random,
      double[] truth,
      int model,
      double refSigma,
      BlobDtype dtype,
      float[] logits,
      float[] refLogits,
      int offset) {
    double shift = -2.0 + 6.0 * random.nextDouble();
    for (int i = 0; i < VOCAB_SIZE; i++) {
      double z;
      if (i >= REAL_TOKENS) {
        z =
            MODEL_MASKS_PADDING[model]
                ? Double.NEGATIVE_INFINITY
                : PADDING_LOGIT + shift + MODEL_SIGMA[model] * random.nextNoise();
      } else if (truth[i] == Double.NEGATIVE_INFINITY) {
        z = Double.NEGATIVE_INFINITY;
      } else {
        z = MODEL_ALPHA[model] * truth[i] + MODEL_SIGMA[model] * random.nextNoise() + shift;
      }
      double r = z + refSigma * random.nextNoise();
      logits[offset + i] = dtype.round((float) z);
      refLogits[offset + i] = dtype.round((float) r);
    }
  }
}
