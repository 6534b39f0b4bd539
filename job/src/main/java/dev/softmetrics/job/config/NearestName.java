package dev.softmetrics.job.config;

import java.util.Collection;
import java.util.Optional;

/**
 * The known name closest to a mistyped one, by edit distance, for "did you mean" hints. A name is
 * offered only when it is close: at most two edits, or one in five characters for long names, so
 * that an unrelated key is never suggested.
 */
public final class NearestName {
  private NearestName() {}

  /** The closest of {@code known} to {@code given}, if one is close enough (ties: the first). */
  public static Optional<String> of(String given, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : known) {
      int distance = distance(given, name);
      if (distance < bestDistance) {
        best = name;
        bestDistance = distance;
      }
    }
    return bestDistance <= Math.max(2, given.length() / 5) ? Optional.of(best) : Optional.empty();
  }

  /** Levenshtein distance: insertions, deletions and substitutions of one character each. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
