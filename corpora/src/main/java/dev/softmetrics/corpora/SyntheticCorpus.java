package dev.softmetrics.corpora;

import java.util.List;
import java.util.Locale;

/**
 * A deterministic generator of a sample eval corpus: per-token log-prob rows of two toy models,
 * under two tokenizers, over documents from three domains, shaped like a real eval's shards.
 *
 * <h2>Layout</h2>
 *
 * Row {@code index} scores document {@code index / 4} ({@code sequenceId} {@code "doc-000042"},
 * zero-padded to six digits and longer past 999999) with the (model, tokenizer) pair {@code index %
 * 4}: model {@code models().get(pair / 2)}, tokenizer {@code tokenizers().get(pair % 2)}. So, as in
 * a real eval, every document is scored by every model under every tokenizer, and the four rows
 * share one {@code sequenceId} and domain.
 *
 * <h2>Text</h2>
 *
 * Multi-byte UTF-8 that looks like its domain: {@code web-en} English with the odd emoji (4 UTF-8
 * bytes) and curly apostrophe; {@code news-fr} French with accents, ligatures and guillemets, and a
 * U+00A0 no-break space before {@code !} and {@code ?}; {@code forum-ja} Japanese phrases (kanji,
 * kana) with some ASCII and emoji, sometimes split by a U+3000 ideographic space. Words are
 * separated by single spaces, with sentence breaks on newlines and a rare double space, U+00A0 or
 * U+3000 (both whitespace to Python's {@code \s}, so they separate words in the word count).
 *
 * <h2>Length</h2>
 *
 * With {@code tokensMin < tokensMax} the demo fixes the text: a document draws a token count
 * uniformly in [tokensMin, tokensMax], writes about that many tokens' worth of bytes at the
 * bpe-100k tokenizer's bytes per token, and each tokenizer gets T = max(1, round(utf8Bytes /
 * bytesPerToken)); all four rows of a document share the exact same text, and bpe-32k rows have
 * more tokens. With {@code tokensMin == tokensMax} (the benchmark's 512/512) the benchmark fixes T:
 * every row has exactly that many tokens, and the text is written to about T tokens' worth of bytes
 * for the row's own tokenizer, as a fixed context window would cut it. The two tokenizers then
 * score different spans of a document: the shorter (bpe-32k) text is a prefix of the longer.
 *
 * <p>Bytes per token: bpe-32k 3.4 (en), 2.9 (fr), 1.6 (ja); bpe-100k 4.3, 3.5, 2.3.
 *
 * <h2>Log-probs</h2>
 *
 * Each model has a target bits per byte (toy-small 1.15, toy-large 0.95) times a domain factor (en
 * 1.0, fr 1.1, ja 1.25). A row's token NLLs are drawn from a Gamma distribution of shape 0.7 and
 * mean {@code bpb * ln 2 * utf8Bytes / T}, so the pooled BPB of a group is near its target and
 * token perplexity on English is in the tens. Each log-prob is {@code -(float) nll}: finite and
 * {@code <= 0}.
 *
 * <h2>Bad rows</h2>
 *
 * With {@code badRowEvery > 0}, every row with {@code index % badRowEvery == badRowEvery - 1} is
 * deliberately bad, by kind {@code (index / badRowEvery) % 3}: 0, a NaN at position {@code T / 2}
 * of the log-probs; 1, empty log-probs; 2, a null text. Apart from that flaw it is the row that
 * {@code badRowEvery == 0} would give.
 *
 * <h2>Determinism</h2>
 *
 * A row depends only on (seed, index): the text comes from a SplitMix64 stream seeded by (seed,
 * document), the log-probs from one seeded by (seed, index), and the corpus keeps no mutable state.
 * So any Spark partition can generate any range of indices, in any order, on any thread, and get
 * the same rows bit for bit. The math uses {@link StrictMath}, whose results are fixed across JVMs
 * and CPUs, where {@link Math} may differ by an ulp.
 */
public final class SyntheticCorpus {

  private static final List<String> MODELS = List.of("toy-small", "toy-large");
  private static final List<String> TOKENIZERS = List.of("bpe-32k", "bpe-100k");
  private static final List<String> DOMAINS = List.of("web-en", "news-fr", "forum-ja");

  /** Target bits per byte, indexed like {@link #MODELS}. */
  private static final double[] MODEL_BPB = {1.15, 0.95};

  /** How much harder each domain is than English, indexed like {@link #DOMAINS}. */
  private static final double[] DOMAIN_BPB_FACTOR = {1.0, 1.1, 1.25};

  /** UTF-8 bytes per token, by tokenizer then domain: bigger vocabularies make longer tokens. */
  private static final double[][] BYTES_PER_TOKEN = {{3.4, 2.9, 1.6}, {4.3, 3.5, 2.3}};

  /** The tokenizer with the most bytes per token, which sets a document's length. */
  private static final int LONGEST_TOKENS = 1;

  /** Caps the text (a few MB) and the float array of one row. */
  private static final int MAX_TOKENS = 1 << 20;

  private static final double LN2 = 0.6931471805599453;
  private static final double NLL_GAMMA_SHAPE = 0.7;
  private static final double GAMMA_D = NLL_GAMMA_SHAPE + 1.0 - 1.0 / 3.0;
  private static final double GAMMA_C = 1.0 / StrictMath.sqrt(9.0 * GAMMA_D);
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final long TEXT_STREAM = 0x5445585453545245L;
  private static final long LOGPROB_STREAM = 0x4C4F475052304253L;

  private final long seed;
  private final int tokensMin;
  private final int tokensMax;
  private final int badRowEvery;

  /**
   * Describes a corpus; no row is generated until {@link #sequence(long)} asks for it.
   *
   * @param seed selects the corpus: the same seed gives the same rows
   * @param tokensMin the fewest tokens a document is written for, at least 1
   * @param tokensMax the most tokens a document is written for, at least {@code tokensMin} and at
   *     most 2^20; equal to {@code tokensMin} to give every row exactly that many tokens
   * @param badRowEvery make one row in this many deliberately bad, or 0 for none
   * @throws IllegalArgumentException if a bound is out of range
   */
  public SyntheticCorpus(long seed, int tokensMin, int tokensMax, int badRowEvery) {
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
    if (badRowEvery < 0) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid badRowEvery: %s (must be >= 0; 0 means no bad rows)", badRowEvery));
    }
    this.seed = seed;
    this.tokensMin = tokensMin;
    this.tokensMax = tokensMax;
    this.badRowEvery = badRowEvery;
  }

  /** The model names, in the order that a document's rows use them. */
  public List<String> models() {
    return MODELS;
  }

  /** The tokenizer names, in the order that a document's rows use them. */
  public List<String> tokenizers() {
    return TOKENIZERS;
  }

  /** The domain names a document may belong to. */
  public List<String> domains() {
    return DOMAINS;
  }

  /**
   * The rows per document, models x tokenizers: row {@code index} scores document {@code index /
   * 4}.
   */
  public long sequencesPerDocument() {
    return (long) MODELS.size() * TOKENIZERS.size();
  }

  /**
   * Generates row {@code index}; it depends only on the seed and the index, never on other calls.
   * Costs O(T) time and allocates the row's text and array.
   *
   * @param index the row, {@code >= 0}
   * @return a new row, owned by the caller
   * @throws IllegalArgumentException if {@code index < 0}
   */
  public SyntheticSequence sequence(long index) {
    if (index < 0) {
      throw new IllegalArgumentException(String.format("Invalid index: %s (must be >= 0)", index));
    }
    long document = index / sequencesPerDocument();
    int pair = (int) (index % sequencesPerDocument());
    int model = pair / TOKENIZERS.size();
    int tokenizer = pair % TOKENIZERS.size();

    SplitMix64 textStream = new SplitMix64(streamSeed(TEXT_STREAM, document));
    int domain = textStream.nextInt(DOMAINS.size());
    // The benchmark fixes T and cuts the text to fit; the demo fixes the text and lets each
    // tokenizer count its tokens.
    boolean fixedTokens = tokensMin == tokensMax;
    double targetBytes =
        fixedTokens
            ? tokensMin * BYTES_PER_TOKEN[tokenizer][domain]
            : (tokensMin + textStream.nextInt(tokensMax - tokensMin + 1))
                * BYTES_PER_TOKEN[LONGEST_TOKENS][domain];
    String text = TextWriter.write(textStream, domain, targetBytes);
    int bytes = utf8Length(text);
    int tokens =
        fixedTokens
            ? tokensMin
            : (int) Math.max(1, Math.round(bytes / BYTES_PER_TOKEN[tokenizer][domain]));
    double meanNll = MODEL_BPB[model] * DOMAIN_BPB_FACTOR[domain] * LN2 * bytes / tokens;
    float[] logprobs = logprobs(new SplitMix64(streamSeed(LOGPROB_STREAM, index)), tokens, meanNll);

    if (badRowEvery > 0 && index % badRowEvery == badRowEvery - 1) {
      switch ((int) (index / badRowEvery % 3)) {
        case 0 -> logprobs[logprobs.length / 2] = Float.NaN;
        case 1 -> logprobs = new float[0];
        default -> text = null;
      }
    }
    return new SyntheticSequence(
        String.format(Locale.ROOT, "doc-%06d", document),
        MODELS.get(model),
        TOKENIZERS.get(tokenizer),
        DOMAINS.get(domain),
        text,
        logprobs);
  }

  /**
   * The seed of stream {@code n} of a kind: SplitMix64's n-th output in a sequence keyed by the
   * corpus seed and the kind, so nearby n (and nearby corpus seeds) give unrelated streams.
   */
  private long streamSeed(long stream, long n) {
    return SplitMix64.mix(SplitMix64.mix(seed ^ stream) + n * GOLDEN_GAMMA);
  }

  private static float[] logprobs(SplitMix64 random, int tokens, double meanNll) {
    double scale = meanNll / NLL_GAMMA_SHAPE;
    float[] logprobs = new float[tokens];
    for (int t = 0; t < tokens; t++) {
      float logprob = -(float) (scale * gammaShape07(random));
      logprobs[t] = logprob == 0f ? 0f : logprob;
    }
    return logprobs;
  }

  /**
   * A Gamma(0.7, 1) draw: Marsaglia and Tsang (2000) for shape 1.7, boosted to shape 0.7 by a
   * factor U^(1 / 0.7), as their paper gives for shapes below 1.
   */
  private static double gammaShape07(SplitMix64 random) {
    while (true) {
      double x = random.nextGaussian();
      double v = 1.0 + GAMMA_C * x;
      if (v <= 0.0) {
        continue;
      }
      v = v * v * v;
      double u = random.nextDouble();
      double x2 = x * x;
      if (u < 1.0 - 0.0331 * x2 * x2
          || StrictMath.log(u) < 0.5 * x2 + GAMMA_D * (1.0 - v + StrictMath.log(v))) {
        return GAMMA_D * v * StrictMath.pow(random.nextOpenDouble(), 1.0 / NLL_GAMMA_SHAPE);
      }
    }
  }

  /** UTF-8 byte length, without encoding: a surrogate pair is 2 + 2 = 4 bytes. */
  private static int utf8Length(CharSequence text) {
    return utf8Length(text, 0, text.length());
  }

  private static int utf8Length(CharSequence text, int from, int to) {
    int bytes = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }

  /**
   * Steele, Lea and Flood's SplitMix64, written out rather than {@link java.util.SplittableRandom}
   * so that the streams, and the bounded and Gaussian draws made from them, never change with the
   * JDK.
   */
  private static final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
      state = seed;
    }

    static long mix(long z) {
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    long nextLong() {
      state += GOLDEN_GAMMA;
      return mix(state);
    }

    /**
     * Uniform in [0, bound) for bound >= 1, by scaling 32 random bits (bias below 2^-32 * bound).
     */
    int nextInt(int bound) {
      return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    /** Uniform in [0, 1). */
    double nextDouble() {
      return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in (0, 1], safe to take the log of. */
    double nextOpenDouble() {
      return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
    }

    /** Standard normal, by Box-Muller (one of the pair). */
    double nextGaussian() {
      double radius = StrictMath.sqrt(-2.0 * StrictMath.log(nextOpenDouble()));
      return radius * StrictMath.cos(2.0 * StrictMath.PI * nextDouble());
    }
  }

  /**
   * Writes a document's text from its random stream. The draws never depend on the target length,
   * so a shorter text of a document is a prefix of a longer one.
   */
  private static final class TextWriter {
    private static final String NO_BREAK_SPACE = "\u00A0";
    private static final String IDEOGRAPHIC_SPACE = "\u3000";

    /** Indexed like {@link #DOMAINS}. */
    private static final Vocabulary[] VOCABULARIES = {
      new Vocabulary(
          words(
              "the of and to a in is that for it with as on was you this are be at by from or",
              "have not we can all your more new about will one time people data model language",
              "online free search home page review price best world year city music video game",
              "school health news guide update learn read click here today recipe travel weather",
              "local business support community really great"),
          1,
          words("😀 🚀 ✨ 👍 🎉 🔥 don’t it’s — café naïve 2024 #1 $5 COVID-19 e-mail"),
          0.04,
          new String[] {".", ".", ".", ".", "!", "?", ":", "…"},
          true,
          0.001),
      new Vocabulary(
          words(
              "le la les de des du et à un une est pour dans sur au par qui que a été ce il elle",
              "ne pas plus avec selon après très déjà où ça année gouvernement président élection",
              "économie société ministre réforme région député journée première système problème",
              "grève côté hôpital bientôt cœur œuvre garçon leçon français française Paris Lyon",
              "Marseille l’État aujourd’hui d’après qu’il même être août Noël"),
          1,
          words("« » — 2024 € 1,5 n°3 …"),
          0.03,
          new String[] {
            ".", ".", ".", ".", ".", ".", NO_BREAK_SPACE + "!", NO_BREAK_SPACE + "?", "…"
          },
          true,
          0.001),
      new Vocabulary(
          words(
              "日本語 東京 大阪 今日は ですね ありがとう よろしく お願いします 思います",
              "です ます けど から ゲーム アニメ スレ データ モデル コンピューター 天気 仕事",
              "質問 回答 本当に すごい 面白い 新しい 時間 友達 電車 ラーメン",
              "の は が を に で と も って"),
          3,
          words("😀 😂 🙏 ✨ w www GPU AI OK 2024年 iPhone （笑） >>12"),
          0.06,
          new String[] {"。", "。", "。", "！", "？", "…", "w"},
          false,
          0.05)
    };

    private static String[] words(String... lines) {
      return String.join(" ", lines).split(" ");
    }

    static String write(SplitMix64 random, int domain, double targetBytes) {
      Vocabulary vocabulary = VOCABULARIES[domain];
      StringBuilder text = new StringBuilder((int) Math.min(targetBytes + 64, Integer.MAX_VALUE));
      int bytes = 0;
      int wordsLeftInSentence = 0;
      while (bytes < targetBytes) {
        int segmentStart = text.length();
        boolean sentenceStart = wordsLeftInSentence == 0;
        if (sentenceStart) {
          wordsLeftInSentence = 4 + random.nextInt(11);
          if (!text.isEmpty()) {
            text.append(sentenceBreak(random));
          }
        } else {
          text.append(vocabulary.wordBreak(random));
        }
        int wordStart = text.length();
        vocabulary.appendWord(random, text);
        if (sentenceStart && vocabulary.capitalized()) {
          text.setCharAt(wordStart, Character.toUpperCase(text.charAt(wordStart)));
        }
        if (--wordsLeftInSentence == 0) {
          text.append(vocabulary.enders()[random.nextInt(vocabulary.enders().length)]);
        }
        bytes += utf8Length(text, segmentStart, text.length());
      }
      return text.toString();
    }

    private static String sentenceBreak(SplitMix64 random) {
      double p = random.nextDouble();
      return p < 0.2 ? "\n" : p < 0.25 ? "\n\n" : " ";
    }

    /**
     * A domain's words.
     *
     * @param words the common words (for {@code forum-ja}, phrase pieces that join unspaced)
     * @param maxPiecesPerWord at most how many pieces join into one space-separated word
     * @param extras emoji, symbols and numbers, each drawn instead of a piece
     * @param extraRate how often a piece is an extra
     * @param enders what ends a sentence, repeated to weight them
     * @param capitalized whether a sentence starts with a capital
     * @param ideographicSpaceRate how often a U+3000 separates two words
     */
    private record Vocabulary(
        String[] words,
        int maxPiecesPerWord,
        String[] extras,
        double extraRate,
        String[] enders,
        boolean capitalized,
        double ideographicSpaceRate) {

      void appendWord(SplitMix64 random, StringBuilder text) {
        int pieces = 1 + random.nextInt(maxPiecesPerWord);
        for (int i = 0; i < pieces; i++) {
          String[] from = random.nextDouble() < extraRate ? extras : words;
          text.append(from[random.nextInt(from.length)]);
        }
      }

      String wordBreak(SplitMix64 random) {
        double p = random.nextDouble();
        if (p < ideographicSpaceRate) {
          return IDEOGRAPHIC_SPACE;
        }
        p -= ideographicSpaceRate;
        return p < 0.003 ? NO_BREAK_SPACE : p < 0.013 ? "  " : " ";
      }
    }
  }
}
