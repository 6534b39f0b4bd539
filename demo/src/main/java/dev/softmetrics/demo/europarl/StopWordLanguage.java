package dev.softmetrics.demo.europarl;

import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tells a text's language from its function words, for the Europarl lines, which carry no language
 * label.
 *
 * <p>Each language has a profile of twenty to thirty of its most frequent function words. A word
 * that is in two or more profiles ("de", "en", "la", ...) counts for none, so each profile keeps
 * only the words that single its language out. A text's words are its maximal runs of letters,
 * lower-cased; a language's hits are how many of those words are in its profile. The text is in the
 * language with the most hits when they are at least {@value #MIN_SHARE} of all its words and at
 * least {@value #MIN_MARGIN} times the runner-up's hits; otherwise its language is unknown (text in
 * a language without a profile, such as Finnish or Greek, has almost no hits).
 *
 * <p>Profiles exist for more languages than the demo uses (Portuguese, Dutch, Swedish, Danish and
 * Romanian as well), so that text in those is recognised as such rather than taken for a near
 * neighbour (Portuguese for Spanish, Romanian for Italian).
 */
public final class StopWordLanguage {
  /** The least share of a text's words that its language's profile must hit. */
  public static final double MIN_SHARE = 0.08;

  /** How many times the runner-up's hits the winner's must reach. */
  public static final int MIN_MARGIN = 3;

  private static final Map<String, String> PROFILES = profiles();

  private final Map<String, String> languageOfWord;

  /** The detector over the built-in profiles. */
  public StopWordLanguage() {
    this(PROFILES);
  }

  /** A detector over the given profiles: language code to space-separated function words. */
  StopWordLanguage(Map<String, String> profiles) {
    Map<String, String> owner = new HashMap<>();
    Set<String> shared = new HashSet<>();
    profiles.forEach(
        (language, words) -> {
          for (String word : words.split(" ")) {
            String previous = owner.putIfAbsent(word, language);
            if (previous != null && !previous.equals(language)) {
              shared.add(word);
            }
          }
        });
    owner.keySet().removeAll(shared);
    this.languageOfWord = Map.copyOf(owner);
  }

  /** The languages that have a profile, in a fixed order. */
  public static List<String> languages() {
    return List.copyOf(PROFILES.keySet());
  }

  /** The language of {@code text}, or empty when the profiles do not single one out. */
  public Optional<String> detect(String text) {
    Map<String, Integer> hits = new HashMap<>();
    int words = 0;
    int start = -1;
    for (int i = 0; i <= text.length(); ) {
      int c = i < text.length() ? text.codePointAt(i) : ' ';
      if (Character.isLetter(c)) {
        if (start < 0) {
          start = i;
        }
      } else if (start >= 0) {
        words++;
        String language = languageOfWord.get(text.substring(start, i).toLowerCase(Locale.ROOT));
        if (language != null) {
          hits.merge(language, 1, Integer::sum);
        }
        start = -1;
      }
      i += Character.charCount(c);
    }
    List<Map.Entry<String, Integer>> ranked =
        hits.entrySet().stream()
            .sorted(Map.Entry.comparingByValue(Comparator.reverseOrder()))
            .toList();
    if (ranked.isEmpty()) {
      return Optional.empty();
    }
    int first = ranked.get(0).getValue();
    int second = ranked.size() > 1 ? ranked.get(1).getValue() : 0;
    boolean clear = first >= MIN_SHARE * words && first >= MIN_MARGIN * second;
    return clear ? Optional.of(ranked.get(0).getKey()) : Optional.empty();
  }

  private static Map<String, String> profiles() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(
        "en",
        "the of and to in is that for this we it be on not are have which with by as has will from"
            + " our an");
    p.put(
        "fr",
        "de la le et les des que en du une est pour qui dans nous pas sur au ce sont aux par mais"
            + " cette il");
    p.put(
        "de",
        "der die und in den zu das von ist nicht mit für wir auf dem des sich eine auch werden ein"
            + " es im dass");
    p.put(
        "es",
        "de la que el en y los las del se por una para con no al lo su como más es este esta sobre");
    p.put(
        "it",
        "di e il che la in per del non della un una dei delle si alla gli sono anche questo nel"
            + " nella è le ha più degli");
    p.put(
        "pt", "de a o que e do da em para os das no uma dos um na com não se também ao pela pelo");
    p.put(
        "nl",
        "de van het een en in is dat te op voor niet zijn die met we ook aan er wordt worden");
    p.put("sv", "och att det i som en av för är på den till med inte vi har om ett detta också de");
    p.put("da", "og at det i til er en af for på som vi med ikke den har de om et også skal");
    p.put("ro", "și de la în care a pe cu este nu pentru să mai din ce al o un se că sunt");
    return p;
  }
}
