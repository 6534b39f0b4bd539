package dev.softmetrics.demo.europarl;

import dev.softmetrics.demo.ngram.KneserNeyModel;
import java.util.List;

/**
 * The demo's two models under one tokenizer, trained on the same tokens of the training documents:
 * {@value #MODEL}, an interpolated Kneser-Ney trigram model (the scored model), and {@value
 * #REFERENCE}, the bigram model, weaker, as its reference for KL.
 *
 * @param tokenizer the tokenizer
 * @param model the trigram model
 * @param reference the bigram model
 * @param trainingTokens how many tokens they were trained on
 * @param heldOut the held-out documents' tokens, in {@link EuroparlSplit#heldOut()} order
 */
public record TokenizerModels(
    DemoTokenizer tokenizer,
    KneserNeyModel model,
    KneserNeyModel reference,
    long trainingTokens,
    List<int[]> heldOut) {

  /** The scored model's label. */
  public static final String MODEL = "kn3";

  /** The reference model's label. */
  public static final String REFERENCE = "kn2";

  /** Tokenizes the split and trains both models. */
  public static TokenizerModels train(DemoTokenizer tokenizer, EuroparlSplit split) {
    List<int[]> training = encode(tokenizer, split.training());
    return new TokenizerModels(
        tokenizer,
        KneserNeyModel.train(3, tokenizer.vocabSize(), training),
        KneserNeyModel.train(2, tokenizer.vocabSize(), training),
        training.stream().mapToLong(t -> t.length).sum(),
        encode(tokenizer, split.heldOut()));
  }

  private static List<int[]> encode(DemoTokenizer tokenizer, List<EuroparlDocument> documents) {
    return documents.parallelStream().map(d -> tokenizer.encode(d.text())).toList();
  }
}
