package dev.softmetrics.job.config;

import java.util.Locale;

/**
 * What a run does with bad rows: write them to {@code rejected/} and go on (the default), or stop
 * at the first one; and the share of rejected rows above which a run that rejected them fails.
 *
 * @param failOnBadRow {@code validation.on-bad-row = fail}: the run stops at the first bad row it
 *     meets, with that row's message
 * @param maxRejectedFraction {@code validation.max-rejected-fraction}: a run whose rejected rows
 *     are more than this fraction of the rows read fails, after writing {@code rejected/}
 */
public record RowPolicy(boolean failOnBadRow, double maxRejectedFraction) {

  public RowPolicy {
    if (!(maxRejectedFraction >= 0 && maxRejectedFraction <= 1)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid validation.max-rejected-fraction: %s (must be in [0, 1])",
              maxRejectedFraction));
    }
  }

  /**
   * Parses {@code validation.on-bad-row}.
   *
   * @throws IllegalArgumentException for anything but {@code reject} or {@code fail}
   */
  public static boolean failOnBadRow(String onBadRow) {
    return switch (onBadRow.trim().toLowerCase(Locale.ROOT)) {
      case "reject" -> false;
      case "fail" -> true;
      default ->
          throw new IllegalArgumentException(
              String.format(
                  "Invalid validation.on-bad-row: %s (must be reject or fail)", onBadRow));
    };
  }

  /**
   * Why a run with these counts fails, or null when the rejected share is within the limit.
   *
   * @param rejected rows rejected
   * @param read rows read
   */
  public String tooManyRejected(long rejected, long read) {
    if (read == 0 || (double) rejected / read <= maxRejectedFraction) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "rejected %d of %d rows (%.4g, above validation.max-rejected-fraction = %s)",
        rejected,
        read,
        (double) rejected / read,
        maxRejectedFraction);
  }
}
