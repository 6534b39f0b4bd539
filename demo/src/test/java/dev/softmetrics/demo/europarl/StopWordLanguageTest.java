package dev.softmetrics.demo.europarl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StopWordLanguageTest {
  private final StopWordLanguage detector = new StopWordLanguage();

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "en|The Commission has not yet presented the proposal that we asked for in this House.",
        "fr|Nous pensons que la Commission doit présenter une proposition pour les citoyens.",
        "de|Wir sind der Meinung, dass die Kommission einen Vorschlag für die Bürger vorlegen muss.",
        "es|Creemos que la Comisión debe presentar una propuesta para los ciudadanos y el Consejo.",
        "it|Riteniamo che la Commissione debba presentare una proposta per i cittadini e per gli Stati.",
        "pt|Pensamos que a Comissão deve apresentar uma proposta para os cidadãos e também o Conselho.",
        "nl|Wij zijn van mening dat de Commissie een voorstel voor de burgers moet indienen.",
        "sv|Vi anser att kommissionen måste lägga fram ett förslag för medborgarna och rådet.",
      })
  void tellsTheLanguagesItHasProfilesFor(String language, String text) {
    assertThat(detector.detect(text)).contains(language);
  }

  @Test
  void textInALanguageWithoutAProfileHasNone() {
    assertThat(detector.detect("Arvoisa puhemies, komission jäsen, hyvät kollegat, kiitos."))
        .isEmpty();
    assertThat(detector.detect("Κύριε Πρόεδρε, η Επιτροπή πρέπει να υποβάλει πρόταση.")).isEmpty();
    assertThat(detector.detect("")).isEmpty();
    assertThat(detector.detect("2009/0123(COD) - 12.3.2010")).isEmpty();
  }

  @Test
  void aWordInTwoProfilesCountsForNeither() {
    // "de", "la", "en" and "que" are in the French and the Spanish profiles (and more).
    assertThat(detector.detect("de la en que de la en que")).isEmpty();
    StopWordLanguage two = new StopWordLanguage(Map.of("x", "aa bb", "y", "bb cc"));
    assertThat(two.detect("bb bb bb bb aa")).contains("x");
    assertThat(two.detect("bb bb bb bb")).isEmpty();
  }

  @Test
  void theWinnerNeedsItsShareOfTheWordsAndItsMargin() {
    StopWordLanguage two = new StopWordLanguage(Map.of("x", "aa", "y", "bb"));
    // 1 hit in 12 words is 8.3%, at least 8%; 1 in 13 is 7.7%.
    assertThat(two.detect("aa " + "w ".repeat(11))).contains("x");
    assertThat(two.detect("aa " + "w ".repeat(12))).isEmpty();
    // 3 hits against 1 is the least margin; 2 against 1 is not enough.
    assertThat(two.detect("aa aa aa bb")).contains("x");
    assertThat(two.detect("aa aa bb")).isEqualTo(Optional.empty());
  }

  @Test
  void wordsAreRunsOfLettersInAnyCase() {
    StopWordLanguage one = new StopWordLanguage(Map.of("x", "été"));
    assertThat(one.detect("ÉTÉ,été;Été")).contains("x");
    assertThat(one.detect("étés")).isEmpty();
  }
}
