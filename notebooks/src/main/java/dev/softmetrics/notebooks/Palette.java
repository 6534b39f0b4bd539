package dev.softmetrics.notebooks;

import java.awt.Color;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One colour per model and per tokenizer, the same in every notebook and chart: the demo's names
 * have fixed colours, any other name a colour picked by its hash from the same list, so it does not
 * depend on which other series a chart has or in which order they come. Colours are Okabe and Ito's
 * set, which stays distinct under the common colour-vision deficiencies. A chart of (model,
 * tokenizer) pairs colours by model and marks the tokenizer with {@link #marker}.
 */
public final class Palette {
  private Palette() {}

  private static final List<Color> COLOURS =
      List.of(
          new Color(0x00, 0x72, 0xB2), // blue
          new Color(0xD5, 0x5E, 0x00), // vermillion
          new Color(0x00, 0x9E, 0x73), // bluish green
          new Color(0xCC, 0x79, 0xA7), // reddish purple
          new Color(0xE6, 0x9F, 0x00), // orange
          new Color(0x56, 0xB4, 0xE9), // sky blue
          new Color(0x59, 0x59, 0x59), // dark grey (the palette's black, softened)
          new Color(0xF0, 0xE4, 0x42)); // yellow

  /** The demo's models and tokenizers, each with its own colour. */
  private static final Map<String, Integer> FIXED =
      Map.of(
          "r50k_base", 0,
          "o200k_base", 1,
          "kn3", 2,
          "kn2", 3);

  private static final List<Marker> MARKERS =
      List.of(
          SeriesMarkers.CIRCLE,
          SeriesMarkers.DIAMOND,
          SeriesMarkers.SQUARE,
          SeriesMarkers.TRIANGLE_UP,
          SeriesMarkers.TRIANGLE_DOWN,
          SeriesMarkers.CROSS);

  /** The colour of a model or tokenizer. */
  public static Color colour(String name) {
    Integer fixed = FIXED.get(name);
    return COLOURS.get(fixed != null ? fixed : Math.floorMod(name.hashCode(), COLOURS.size()));
  }

  /** The marker of a tokenizer in charts coloured by model. */
  public static Marker marker(String tokenizer) {
    Integer fixed = FIXED.get(tokenizer);
    return MARKERS.get(
        fixed != null && fixed < MARKERS.size()
            ? fixed
            : Math.floorMod(tokenizer.hashCode(), MARKERS.size()));
  }
}
