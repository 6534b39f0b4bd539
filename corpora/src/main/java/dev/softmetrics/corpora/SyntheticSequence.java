package dev.softmetrics.corpora;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row of the synthetic eval corpus: the per-token log-probabilities that one model gave one
 * document under one tokenizer, in the shape of the shards the job scores.
 *
 * <p>{@code tokenLogprobs} holds ln p(x_t | x_&lt;t) for every scored token (natural log, finite
 * and {@code <= 0} on a good row); {@code text} is the scored span. A deliberately bad row (see
 * {@link SyntheticCorpus}) has a {@code null} text, an empty {@code tokenLogprobs}, or a NaN in it;
 * every other component is never null.
 *
 * <p>The array is not copied: the row owns it and the caller may keep it. {@link #equals} and
 * {@link #hashCode} compare its contents (with {@link Arrays#equals(float[], float[])}, so two NaN
 * entries are equal), which a record with an array component does not do by itself.
 *
 * @param sequenceId the document, shared by every model and tokenizer that scored it
 * @param model the scoring model's name
 * @param tokenizer the tokenizer's name
 * @param domain the document's domain
 * @param text the scored text, or {@code null} on a deliberately bad row
 * @param tokenLogprobs one natural-log probability per scored token
 */
public record SyntheticSequence(
    String sequenceId,
    String model,
    String tokenizer,
    String domain,
    String text,
    float[] tokenLogprobs) {

  /** Checks that every component but {@code text} is present. */
  public SyntheticSequence {
    Objects.requireNonNull(sequenceId, "sequenceId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(tokenLogprobs, "tokenLogprobs");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SyntheticSequence that
        && sequenceId.equals(that.sequenceId)
        && model.equals(that.model)
        && tokenizer.equals(that.tokenizer)
        && domain.equals(that.domain)
        && Objects.equals(text, that.text)
        && Arrays.equals(tokenLogprobs, that.tokenLogprobs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sequenceId, model, tokenizer, domain, text)
        + 31 * Arrays.hashCode(tokenLogprobs);
  }

  /** Names the row and gives the sizes of its text and log-probs, not their contents. */
  @Override
  public String toString() {
    return "SyntheticSequence[sequenceId="
        + sequenceId
        + ", model="
        + model
        + ", tokenizer="
        + tokenizer
        + ", domain="
        + domain
        + ", text="
        + (text == null ? "null" : text.length() + " UTF-16 units")
        + ", tokenLogprobs="
        + tokenLogprobs.length
        + " floats]";
  }
}
