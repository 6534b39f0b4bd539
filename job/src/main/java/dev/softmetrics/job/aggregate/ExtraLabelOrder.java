package dev.softmetrics.job.aggregate;

import java.io.Serializable;
import java.util.Comparator;
import java.util.List;

/**
 * The order of groups' extra label values ({@code labels.extra}): element by element, as text, a
 * shorter list first. Every group of a run has as many values, so the last rule only makes the
 * order total.
 */
public enum ExtraLabelOrder implements Comparator<List<String>>, Serializable {
  INSTANCE;

  @Override
  public int compare(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }
}
