package dev.softmetrics.demo.europarl;

import dev.softmetrics.demo.ngram.KneserNeyModel;
import dev.softmetrics.demo.ngram.TiltedPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;

/**
 * A small part of the corpus in the logits layout, under one tokenizer: full distributions over V
 * are 100 KB per position in bfloat16 at V = 50,257, so this is a few dozen sequences.
 *
 * <ul>
 *   <li>Per language, the first {@value #DOCUMENTS_PER_LANGUAGE} held-out documents, cut to their
 *       longest prefix of at most {@value #POSITIONS} tokens whose bytes are valid UTF-8 (ids
 *       {@code ...-head}), scored by {@value TokenizerModels#MODEL} with {@value
 *       TokenizerModels#REFERENCE}'s logits as {@code ref_logits}, and by {@value
 *       TokenizerModels#REFERENCE} alone: on the same positions, the cross-entropy of the first
 *       against the second is the second's entropy plus KL(second || first).
 *   <li>Per checkpoint, its first rollout of each language, with {@value TokenizerModels#MODEL}'s
 *       logits as {@code ref_logits}: the exact KL beside the k1 to k3 estimates of the same
 *       rollouts in the log-prob layout.
 *   <li>A copy of the first sequence whose last target id is V ({@code -broken}).
 * </ul>
 */
final class LogitsCorpus {
  private LogitsCorpus() {}

  static final int DOCUMENTS_PER_LANGUAGE = 2;
  static final int POSITIONS = 24;

  static List<Row> rows(EuroparlSplit split, TokenizerModels m, List<Rollouts.Rollout> rollouts) {
    LogitsRows.Distribution model = distribution(TiltedPolicy.of(m.model()), m.model());
    LogitsRows.Distribution reference = distribution(TiltedPolicy.of(m.reference()), m.reference());
    List<Row> rows = new ArrayList<>();
    List<Integer> documents = documents(split);
    for (int i : documents) {
      EuroparlDocument d = split.heldOut().get(i);
      int[] tokens = validPrefix(m.tokenizer(), m.heldOut().get(i));
      byte[] bytes = m.tokenizer().decodeBytes(tokens);
      String text = PolicyScorer.utf8(bytes);
      String id = d.id() + "-head";
      rows.addAll(
          LogitsRows.rows(
              labels(id, TokenizerModels.MODEL, m, d.language()),
              tokens,
              0,
              model,
              reference,
              text,
              bytes.length,
              false));
      rows.addAll(
          LogitsRows.rows(
              labels(id, TokenizerModels.REFERENCE, m, d.language()),
              tokens,
              0,
              reference,
              null,
              text,
              bytes.length,
              false));
      if (i == documents.get(0)) {
        rows.addAll(
            LogitsRows.rows(
                labels(id + "-broken", TokenizerModels.MODEL, m, d.language()),
                tokens,
                0,
                model,
                reference,
                text,
                bytes.length,
                true));
      }
    }
    for (RlCheckpoint checkpoint : RlCheckpoint.SERIES) {
      LogitsRows.Distribution policy =
          distribution(checkpoint.policy(m.model(), m.tokenizer()), m.model());
      Set<String> languages = new HashSet<>();
      for (Rollouts.Rollout r : rollouts) {
        if (r.checkpoint() == checkpoint && languages.add(r.language())) {
          rows.addAll(
              LogitsRows.rows(
                  labels(r.scored().sequenceId(), checkpoint.name(), m, Rollouts.DOMAIN),
                  r.tokens(),
                  Rollouts.PROMPT_TOKENS,
                  policy,
                  model,
                  r.scored().text(),
                  r.scored().numBytes(),
                  false));
        }
      }
    }
    return rows;
  }

  /** The held-out documents used: per language, the first {@value #DOCUMENTS_PER_LANGUAGE}. */
  private static List<Integer> documents(EuroparlSplit split) {
    List<Integer> chosen = new ArrayList<>();
    for (String language : EuroparlSplit.LANGUAGES) {
      for (int i = 0, n = 0; i < split.heldOut().size() && n < DOCUMENTS_PER_LANGUAGE; i++) {
        if (split.heldOut().get(i).language().equals(language)) {
          chosen.add(i);
          n++;
        }
      }
    }
    return chosen;
  }

  private static PolicyScorer.Labels labels(
      String id, String model, TokenizerModels m, String domain) {
    return new PolicyScorer.Labels(id, model, m.tokenizer(), domain);
  }

  private static LogitsRows.Distribution distribution(TiltedPolicy policy, KneserNeyModel base) {
    return (tokens, t, out) -> policy.at(base.distribution(tokens, t)).logprobs(out);
  }

  /** The longest prefix of at most {@value #POSITIONS} tokens whose bytes are valid UTF-8. */
  private static int[] validPrefix(DemoTokenizer tokenizer, int[] tokens) {
    for (int n = Math.min(POSITIONS, tokens.length); n > 0; n--) {
      int[] prefix = Arrays.copyOf(tokens, n);
      if (PolicyScorer.utf8(tokenizer.decodeBytes(prefix)) != null) {
        return prefix;
      }
    }
    throw new IllegalStateException(
        "Cannot cut a held-out document: no prefix of its tokens is valid UTF-8");
  }
}
