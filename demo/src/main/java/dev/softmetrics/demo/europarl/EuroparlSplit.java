package dev.softmetrics.demo.europarl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's documents: the Europarl lines in {@link #LANGUAGES}, as {@link StopWordLanguage} tells
 * them, split per language in file order (the file is a random sample of the proceedings): the
 * first {@value #HELD_OUT_PER_LANGUAGE} lines of a language are held out for scoring, the next
 * {@value #TRAINING_PER_LANGUAGE} train the models, and the rest are not used, to keep the demo
 * quick.
 *
 * @param training the training documents, language by language
 * @param heldOut the held-out documents, language by language
 */
public record EuroparlSplit(List<EuroparlDocument> training, List<EuroparlDocument> heldOut) {
  /** The demo's domains: the five languages with the most text in the file that it tells apart. */
  public static final List<String> LANGUAGES = List.of("de", "en", "es", "fr", "it");

  /** Held-out documents per language. */
  public static final int HELD_OUT_PER_LANGUAGE = 60;

  /** Training documents per language. */
  public static final int TRAINING_PER_LANGUAGE = 800;

  /**
   * Splits {@code lines}.
   *
   * @throws IllegalStateException if a language has too few lines for its share
   */
  public static EuroparlSplit of(List<EuroparlLine> lines, StopWordLanguage detector) {
    Map<String, List<EuroparlDocument>> byLanguage = new LinkedHashMap<>();
    LANGUAGES.forEach(l -> byLanguage.put(l, new ArrayList<>()));
    for (EuroparlLine line : lines) {
      Optional<String> language = detector.detect(line.body());
      if (language.isPresent() && byLanguage.containsKey(language.get())) {
        byLanguage
            .get(language.get())
            .add(
                new EuroparlDocument(
                    String.format("europarl-%05d", line.number()),
                    language.get(),
                    line.body().strip()));
      }
    }
    List<EuroparlDocument> training = new ArrayList<>();
    List<EuroparlDocument> heldOut = new ArrayList<>();
    int wanted = HELD_OUT_PER_LANGUAGE + TRAINING_PER_LANGUAGE;
    byLanguage.forEach(
        (language, documents) -> {
          if (documents.size() < wanted) {
            throw new IllegalStateException(
                String.format(
                    "Cannot split the demo's text: %d lines in %s (must be at least %d)",
                    documents.size(), language, wanted));
          }
          heldOut.addAll(documents.subList(0, HELD_OUT_PER_LANGUAGE));
          training.addAll(documents.subList(HELD_OUT_PER_LANGUAGE, wanted));
        });
    return new EuroparlSplit(List.copyOf(training), List.copyOf(heldOut));
  }
}
