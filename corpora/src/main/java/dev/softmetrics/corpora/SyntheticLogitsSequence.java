package dev.softmetrics.corpora;

import java.util.Arrays;
import java.util.Objects;

/**
 * One sequence of the synthetic logits corpus: what a model and a reference model output at every
 * scored position of one document, and the log-prob form derived from it.
 *
 * <p>With T = {@code targetIds.length} and V = {@code vocabSize}, {@code logits} and {@code
 * refLogits} are row-major T x V, already rounded to {@code dtype} (so they are exactly what a blob
 * of that type holds), finite or -infinity and never NaN; no row is all -infinity, and a target is
 * never at -infinity. The derived arrays were computed in double from those rounded values: {@code
 * tokenLogprobs[t]} = ln softmax(z_t)[y_t], {@code tokenEntropies[t]} = H(softmax(z_t)), {@code
 * refLogprobs[t]} = ln softmax(r_t)[y_t], and {@code topLogprobs[t]} the {@link
 * SyntheticLogits#TOP_K} largest ln softmax(z_t), descending.
 *
 * <p>The arrays are not copied: the sequence owns them and the caller may keep them. {@link
 * #equals} and {@link #hashCode} compare their contents, which a record with array components does
 * not do by itself.
 *
 * @param sequenceId the document, shared by both models, e.g. {@code "doc-000042"}
 * @param model the scoring model's name
 * @param tokenizer the tokenizer's name
 * @param domain the document's domain
 * @param text the scored text
 * @param vocabSize V
 * @param dtype the element type its blobs are written in, the same for every chunk
 * @param targetIds the observed token at each position, in [0, V)
 * @param logits the model's logits, T x V
 * @param refLogits the reference model's logits, T x V
 * @param tokenLogprobs ln p of each target under the model
 * @param tokenEntropies the model's entropy at each position, nats
 * @param refLogprobs ln p of each target under the reference
 * @param topLogprobs the model's largest log-probs at each position, descending
 */
public record SyntheticLogitsSequence(
    String sequenceId,
    String model,
    String tokenizer,
    String domain,
    String text,
    int vocabSize,
    BlobDtype dtype,
    int[] targetIds,
    float[] logits,
    float[] refLogits,
    double[] tokenLogprobs,
    double[] tokenEntropies,
    double[] refLogprobs,
    double[][] topLogprobs) {

  /** Checks that every component is present and that the arrays agree on T and V. */
  public SyntheticLogitsSequence {
    Objects.requireNonNull(sequenceId, "sequenceId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(dtype, "dtype");
    int tokens = targetIds.length;
    long cells = (long) tokens * vocabSize;
    if (logits.length != cells
        || refLogits.length != cells
        || tokenLogprobs.length != tokens
        || tokenEntropies.length != tokens
        || refLogprobs.length != tokens
        || topLogprobs.length != tokens) {
      throw new IllegalStateException(
          String.format(
              "Cannot build sequence %s/%s: arrays disagree on T = %s, V = %s",
              sequenceId, model, tokens, vocabSize));
    }
  }

  /** T, the number of scored positions. */
  public int tokens() {
    return targetIds.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SyntheticLogitsSequence that
        && sequenceId.equals(that.sequenceId)
        && model.equals(that.model)
        && tokenizer.equals(that.tokenizer)
        && domain.equals(that.domain)
        && text.equals(that.text)
        && vocabSize == that.vocabSize
        && dtype == that.dtype
        && Arrays.equals(targetIds, that.targetIds)
        && Arrays.equals(logits, that.logits)
        && Arrays.equals(refLogits, that.refLogits)
        && Arrays.equals(tokenLogprobs, that.tokenLogprobs)
        && Arrays.equals(tokenEntropies, that.tokenEntropies)
        && Arrays.equals(refLogprobs, that.refLogprobs)
        && Arrays.deepEquals(topLogprobs, that.topLogprobs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sequenceId, model, tokenizer, domain, text, vocabSize, dtype)
        + 31 * Arrays.hashCode(targetIds)
        + 961 * Arrays.hashCode(logits)
        + 29791 * Arrays.hashCode(refLogits);
  }

  /** Names the sequence and gives its sizes, not its contents. */
  @Override
  public String toString() {
    return "SyntheticLogitsSequence[sequenceId="
        + sequenceId
        + ", model="
        + model
        + ", domain="
        + domain
        + ", dtype="
        + dtype.contractName()
        + ", T="
        + tokens()
        + ", V="
        + vocabSize
        + "]";
  }
}
