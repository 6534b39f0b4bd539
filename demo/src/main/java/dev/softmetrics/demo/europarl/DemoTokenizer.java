package dev.softmetrics.demo.europarl;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * One of OpenAI's byte-level BPE tokenizers, as JTokkit ships them (vocabularies inside its jar, no
 * download): GPT-2's {@code r50k_base} and GPT-4o's {@code o200k_base}, whose vocabularies differ
 * in size and in how many languages they were fitted on.
 *
 * <p>V is the size of the id range, as tiktoken's {@code n_vocab}: every id from 0 to V - 1 is a
 * row of a model's output, including the special tokens (and o200k_base's unused ids between its
 * last merge and {@code <|endofprompt|>}). Text is encoded as ordinary text: a special token's
 * spelling in it is just characters.
 */
public enum DemoTokenizer {
  /** GPT-2's vocabulary: 50,256 merges and {@code <|endoftext|>}. */
  R50K_BASE(EncodingType.R50K_BASE, 50_257),
  /** GPT-4o's vocabulary: 199,998 merges and specials up to {@code <|endofprompt|>} at 200,018. */
  O200K_BASE(EncodingType.O200K_BASE, 200_019);

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  private final EncodingType type;
  private final int vocabSize;

  DemoTokenizer(EncodingType type, int vocabSize) {
    this.type = type;
    this.vocabSize = vocabSize;
  }

  /** The name in the tables' {@code tokenizer} column, e.g. {@code r50k_base}. */
  public String label() {
    return type.getName();
  }

  /** V. */
  public int vocabSize() {
    return vocabSize;
  }

  /** The token ids of {@code text}. */
  public int[] encode(String text) {
    return encoding().encodeOrdinary(text).toArray();
  }

  /** The UTF-8 bytes that {@code ids} stand for (a token may hold part of a character). */
  public byte[] decodeBytes(int[] ids) {
    IntArrayList list = new IntArrayList(ids.length);
    for (int id : ids) {
      list.add(id);
    }
    return encoding().decodeBytes(list);
  }

  private Encoding encoding() {
    return REGISTRY.getEncoding(type);
  }
}
