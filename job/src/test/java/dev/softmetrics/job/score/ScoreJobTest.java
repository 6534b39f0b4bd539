package dev.softmetrics.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.config.JobConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end runs of {@link ScoreJob} on small Parquet fixtures written by the tests, with the
 * expected figures worked out by hand (METRICS.md) or by plain arithmetic here, never by the code
 * under test.
 *
 * <p>A Spark run costs about a second, so the two fixtures that many tests read are written and
 * scored once, in {@link #scoreSharedFixtures}: the <em>core</em> fixture (list of double, text and
 * count columns, one file) and the <em>no-text</em> fixture (list of float, count columns only).
 * Each test of those owns its own model label in the fixture, so its groups in {@code corpus/} hold
 * only its rows. Tests that need another configuration or layout write their own input.
 */
class ScoreJobTest extends LocalSparkTest {

  private static final double LN2 = Math.log(2);
  private static final double LN8 = Math.log(8);
  private static final double EPS = 1e-12;

  @TempDir static Path shared;

  @TempDir Path tmp;

  /** The core fixture's rows in file order, so that a row's index is its {@code source_row}. */
  private static final List<Row> CORE = new ArrayList<>();

  /** Rows of the core fixture that must be rejected: position -> reason, message fragments. */
  private static final Map<Integer, String[]> CORE_BAD = new LinkedHashMap<>();

  private static String coreFile;
  private static RunResult coreResult;
  private static Map<String, Row> coreSequences;
  private static Map<Long, Row> coreRejected;
  private static Map<String, Row> coreCorpus;

  private static RunResult noTextResult;
  private static Map<String, Row> noTextSequences;
  private static Map<String, Row> noTextCorpus;

  @BeforeAll
  static void scoreSharedFixtures() {
    addPerSequenceRows();
    addMetricsExampleRows();
    addTwoDomainRows();
    addTextRows();
    addGivenCountRows();
    addRejectionRows();
    String core = shared.resolve("core").toString();
    write(core, coreSchema(), CORE);
    coreFile = onlyParquetFile(core);
    String coreOut = shared.resolve("core-out").toString();
    coreResult = run(List.of(core), coreOut, JobConfig.defaults());
    coreSequences = sequences(coreOut);
    coreRejected = byKey(coreOut + "/rejected", r -> r.<Long>getAs("source_row"));
    coreCorpus = corpus(coreOut);

    String noText = shared.resolve("no-text").toString();
    write(noText, noTextSchema(), noTextRows());
    String noTextOut = shared.resolve("no-text-out").toString();
    noTextResult = run(List.of(noText), noTextOut, JobConfig.defaults());
    noTextSequences = sequences(noTextOut);
    noTextCorpus = corpus(noTextOut);
  }

  // ---------------------------------------------------------------- per-sequence figures

  private static void addPerSequenceRows() {
    CORE.add(core("seq-a", "seq", "d", new double[] {-LN2, -LN2, -LN8}, "abc"));
    CORE.add(core("seq-b", "seq", "d", new double[] {-1.0}, "abc"));
    CORE.add(core("seq-c", "seq", "d", new double[] {-0.5, -0.25, -2.0, -1.5, -0.75}, "abc"));
    CORE.add(core("seq-d", "seq", "d", new double[] {0.0, -0.0}, "abc"));
  }

  @Test
  void doubleLogprobsGiveTokensNllMeanAndPplPerSequence() {
    // a: nll = 2 ln 2 + ln 8 = 5 ln 2, mean = 5 ln 2 / 3, ppl = 2^(5/3)
    assertSequence(coreSequences.get("seq-a"), 3, 5 * LN2, 5 * LN2 / 3, Math.pow(2, 5.0 / 3));
    assertSequence(coreSequences.get("seq-b"), 1, 1.0, 1.0, Math.E);
    assertSequence(coreSequences.get("seq-c"), 5, 5.0, 1.0, Math.E);
    assertThat(coreSequences.get("seq-c").<Double>getAs("nll_sum")).isEqualTo(5.0);
    assertSequence(coreSequences.get("seq-d"), 2, 0.0, 0.0, 1.0);

    Row seq = coreSequences.get("seq-a");
    assertThat(seq.<String>getAs("model")).isEqualTo("seq");
    assertThat(seq.<String>getAs("tokenizer")).isEqualTo("tok");
    assertThat(seq.<String>getAs("domain")).isEqualTo("d");
    assertThat(seq.<String>getAs("run_id")).isEqualTo("run-1");
    assertThat(localPath(seq.getAs("source_file"))).isEqualTo(coreFile);
  }

  @Test
  void floatLogprobsAreWidenedToDoubleBeforeSumming() {
    double a = -((double) F_LN2 + (double) F_LN2 + (double) F_LN8);
    assertSequence(noTextSequences.get("f-a"), 3, a, a / 3, Math.exp(a / 3));
    assertThat(noTextSequences.get("f-b").<Double>getAs("nll_sum")).isEqualTo(5.0);
    assertSequence(noTextSequences.get("f-b"), 5, 5.0, 1.0, Math.E);
    // 0.1f is not 0.1: the job sums the float's exact value, widened to double.
    double c = 3 * (double) 0.1f;
    assertThat(noTextSequences.get("f-c").<Double>getAs("nll_sum"))
        .isCloseTo(c, within(EPS))
        .isNotCloseTo(0.3, within(1e-9));
  }

  // ---------------------------------------------------------------- corpus figures

  private static void addMetricsExampleRows() {
    // METRICS.md: 10 tokens at NLL ln 2 and 90 at ln 8 give corpus PPL 2^2.8 (not 5, not 4).
    // A: 20 words "éé" joined by spaces: 20 words, 20*2+19 = 59 chars, 20*4+19 = 99 bytes.
    // B: 15 words "ab": 15 words, 15*2+14 = 44 chars and bytes.
    CORE.add(core("ex-A", "metrics", "web", repeat(-LN2, 10), String.join(" ", nCopies(20, "éé"))));
    CORE.add(core("ex-B", "metrics", "web", repeat(-LN8, 90), String.join(" ", nCopies(15, "ab"))));
  }

  @Test
  void corpusPoolsTokensAsInTheMetricsTwoDocumentExample() {
    Row web = coreCorpus.get("metrics|tok|web");
    double nll = 280 * LN2; // 10 ln 2 + 90 * 3 ln 2
    assertThat(web.<String>getAs("run_id")).isEqualTo("run-1");
    assertThat(web.<Long>getAs("sequences")).isEqualTo(2L);
    assertThat(web.<Long>getAs("tokens")).isEqualTo(100L);
    assertThat(web.<Long>getAs("bytes")).isEqualTo(143L);
    assertThat(web.<Long>getAs("chars")).isEqualTo(103L);
    assertThat(web.<Long>getAs("words")).isEqualTo(35L);
    assertClose(web, "nll_sum", nll);
    assertClose(web, "mean_nll", 2.8 * LN2);
    assertClose(web, "ppl_token", 6.964404506368992);
    assertClose(web, "bits_per_token", 2.8);
    assertClose(web, "bits_per_byte", 280.0 / 143);
    assertClose(web, "bits_per_char", 280.0 / 103);
    assertClose(web, "ppl_byte", Math.pow(2, 280.0 / 143));
    assertClose(web, "ppl_word", 256.0); // exp(280 ln 2 / 35) = 2^8
    assertNull(web, "domains");
    assertNull(web, "macro_mean_nll");
    assertNull(web, "macro_bits_per_byte");

    Row all = coreCorpus.get("metrics|tok|__all__");
    assertClose(all, "ppl_token", 6.964404506368992);
    assertThat(all.<Integer>getAs("domains")).isEqualTo(1);
    assertClose(all, "macro_mean_nll", 2.8 * LN2);
    assertClose(all, "macro_bits_per_byte", 280.0 / 143);

    assertThat(coreResult.corpus())
        .filteredOn(c -> c.model().equals("metrics") && c.domain().equals("web"))
        .singleElement()
        .satisfies(c -> assertThat(c.pplToken()).isCloseTo(6.964404506368992, within(EPS)));
  }

  private static void addTwoDomainRows() {
    // web: nll 2 + 2 = 4 over 3 tokens, 4 + 4 bytes, 1 + 2 words
    CORE.add(core("w1", "m", "web", new double[] {-1, -1}, "abcd"));
    CORE.add(core("w2", "m", "web", new double[] {-2}, "a bc"));
    // code: nll 12 over 4 tokens, 6 bytes, 3 words
    CORE.add(core("c1", "m", "code", new double[] {-3, -3, -3, -3}, "x = 1;"));
    // another model: its own roll-up with one domain
    CORE.add(core("w1-m2", "m2", "web", new double[] {-0.5}, "z"));
  }

  @Test
  void allRowCarriesDomainsAndMacroMeansOverTwoDomains() {
    assertThat(coreCorpus.keySet().stream().filter(k -> k.startsWith("m|") || k.startsWith("m2|")))
        .containsExactlyInAnyOrder(
            "m|tok|web", "m|tok|code", "m|tok|__all__", "m2|tok|web", "m2|tok|__all__");

    Row web = coreCorpus.get("m|tok|web");
    assertThat(web.<Long>getAs("tokens")).isEqualTo(3L);
    assertThat(web.<Long>getAs("bytes")).isEqualTo(8L);
    assertClose(web, "mean_nll", 4.0 / 3);
    assertClose(web, "bits_per_byte", 4 / (8 * LN2));

    Row code = coreCorpus.get("m|tok|code");
    assertClose(code, "mean_nll", 3.0);
    assertClose(code, "ppl_token", Math.exp(3));
    assertClose(code, "bits_per_byte", 12 / (6 * LN2));
    assertClose(code, "ppl_byte", Math.exp(2));
    assertThat(code.<Long>getAs("words")).isEqualTo(3L);
    assertClose(code, "ppl_word", Math.exp(4));

    Row all = coreCorpus.get("m|tok|__all__");
    assertThat(all.<Long>getAs("sequences")).isEqualTo(3L);
    assertThat(all.<Long>getAs("tokens")).isEqualTo(7L);
    assertThat(all.<Long>getAs("bytes")).isEqualTo(14L);
    assertThat(all.<Long>getAs("chars")).isEqualTo(14L);
    assertThat(all.<Long>getAs("words")).isEqualTo(6L);
    assertClose(all, "nll_sum", 16.0);
    assertClose(all, "mean_nll", 16.0 / 7);
    assertClose(all, "ppl_token", Math.exp(16.0 / 7));
    assertClose(all, "bits_per_token", 16.0 / 7 / LN2);
    assertClose(all, "bits_per_byte", 16 / (14 * LN2));
    assertClose(all, "bits_per_char", 16 / (14 * LN2));
    assertClose(all, "ppl_byte", Math.exp(16.0 / 14));
    assertClose(all, "ppl_word", Math.exp(16.0 / 6));
    assertThat(all.<Integer>getAs("domains")).isEqualTo(2);
    // Macro: the unweighted mean of the two domains' figures, not the pooled 16/7.
    assertClose(all, "macro_mean_nll", (4.0 / 3 + 3.0) / 2);
    assertClose(all, "macro_bits_per_byte", (0.5 / LN2 + 2 / LN2) / 2);

    Row other = coreCorpus.get("m2|tok|__all__");
    assertThat(other.<Integer>getAs("domains")).isEqualTo(1);
    assertThat(other.<Long>getAs("sequences")).isEqualTo(1L);
    assertClose(other, "mean_nll", 0.5);
    assertClose(other, "macro_mean_nll", 0.5);
    assertClose(other, "macro_bits_per_byte", 0.5 / LN2);
  }

  // ---------------------------------------------------------------- text and counts

  private static void addTextRows() {
    CORE.add(core("txt-accent", "text", "d", new double[] {-1}, "héllo"));
    CORE.add(core("txt-cjk", "text", "d", new double[] {-1}, "日本語"));
    CORE.add(core("txt-emoji", "text", "d", new double[] {-1}, "😀"));
    CORE.add(core("txt-spaces", "text", "d", new double[] {-1}, " a b "));
    CORE.add(core("txt-empty", "text", "d", new double[] {-1}, ""));
    CORE.add(core("txt-tabs", "text", "d", new double[] {-1}, "one\ttwo\n\nthree"));
  }

  @Test
  void bytesCharsAndWordsAreCountedFromTheText() {
    assertCounts(coreSequences.get("txt-accent"), 6, 5, 1);
    assertCounts(coreSequences.get("txt-cjk"), 9, 3, 1);
    assertCounts(coreSequences.get("txt-emoji"), 4, 1, 1);
    assertCounts(coreSequences.get("txt-spaces"), 5, 5, 4);
    assertCounts(coreSequences.get("txt-empty"), 0, 0, 1);
    assertCounts(coreSequences.get("txt-tabs"), 14, 14, 3);

    Row d = coreCorpus.get("text|tok|d");
    assertThat(d.<Long>getAs("bytes")).isEqualTo(6L + 9 + 4 + 5 + 0 + 14);
    assertThat(d.<Long>getAs("chars")).isEqualTo(5L + 3 + 1 + 5 + 0 + 14);
    assertThat(d.<Long>getAs("words")).isEqualTo(1L + 1 + 1 + 4 + 1 + 3);
    assertClose(d, "bits_per_byte", 6 / (38 * LN2));
    assertClose(d, "bits_per_char", 6 / (28 * LN2));
    assertClose(d, "ppl_word", Math.exp(6.0 / 11));
  }

  @Test
  void intAndLongCountColumnsAreUsedWhenThereIsNoText() {
    // num_bytes is int, num_chars long, num_words int here; the core fixture has the other types.
    assertCounts(noTextSequences.get("f-a"), 10, 8, 3);
    assertCounts(noTextSequences.get("f-big"), 2_000_000_000, 600_000_000L, 2);
    Row full = noTextCorpus.get("f|tok|full");
    assertThat(full.<Long>getAs("bytes")).isEqualTo(10L + 6 + 6 + 2_000_000_000);
    assertThat(full.<Long>getAs("chars")).isEqualTo(8L + 6 + 6 + 600_000_000L);
    assertThat(full.<Long>getAs("words")).isEqualTo(3L + 1 + 1 + 2);
    double nll = -((double) F_LN2 + (double) F_LN2 + (double) F_LN8) + 5 + 3 * (double) 0.1f + 1;
    assertClose(full, "nll_sum", nll);
    assertClose(full, "bits_per_byte", nll / (2_000_000_022L * LN2));
    assertClose(full, "bits_per_char", nll / (600_000_020L * LN2));
    assertClose(full, "ppl_word", Math.exp(nll / 7));
    assertThat(noTextResult.run().rowsRejected()).isZero();
  }

  @Test
  void corpusCharAndWordFiguresAreNullWhenASequenceLacksTheCount() {
    assertNull(noTextSequences.get("f-nochars-1"), "chars");
    assertNull(noTextSequences.get("f-nowords-1"), "words");

    Row noChars = noTextCorpus.get("f|tok|nochars");
    assertThat(noChars.<Long>getAs("bytes")).isEqualTo(8L);
    assertClose(noChars, "bits_per_byte", 2 / (8 * LN2));
    assertNull(noChars, "chars");
    assertNull(noChars, "bits_per_char");
    assertThat(noChars.<Long>getAs("words")).isEqualTo(2L);
    assertClose(noChars, "ppl_word", Math.E);

    Row noWords = noTextCorpus.get("f|tok|nowords");
    assertNull(noWords, "words");
    assertNull(noWords, "ppl_word");
    assertThat(noWords.<Long>getAs("chars")).isEqualTo(8L);
    assertClose(noWords, "bits_per_char", 2 / (8 * LN2));

    Row all = noTextCorpus.get("f|tok|__all__");
    assertThat(all.<Integer>getAs("domains")).isEqualTo(3);
    assertThat(all.<Long>getAs("bytes")).isEqualTo(2_000_000_022L + 8 + 8);
    assertNull(all, "bits_per_char");
    assertNull(all, "ppl_word");
    assertNull(all, "chars");
    assertNull(all, "words");
  }

  private static void addGivenCountRows() {
    CORE.add(core("given-text", "given", "a", new double[] {-1}, "日本語", 9L, 3, 1L));
    CORE.add(core("given-counts", "given", "a", new double[] {-1}, null, 10L, 8, 2L));
    CORE.add(core("given-bytes", "given", "b", new double[] {-1}, null, 5L, null, null));
  }

  @Test
  void givenCountsAreUsedOnRowsWhoseTextIsNull() {
    // Counts given beside the text agree with it (rows where they do not are rejected).
    assertCounts(coreSequences.get("given-text"), 9, 3, 1);
    assertCounts(coreSequences.get("given-counts"), 10, 8, 2);
    Row bytesOnly = coreSequences.get("given-bytes");
    assertThat(bytesOnly.<Long>getAs("bytes")).isEqualTo(5L);
    assertNull(bytesOnly, "chars");
    assertNull(bytesOnly, "words");

    Row a = coreCorpus.get("given|tok|a");
    assertThat(a.<Long>getAs("bytes")).isEqualTo(19L);
    assertClose(a, "bits_per_char", 2 / (11 * LN2));
    assertClose(a, "ppl_word", Math.exp(2.0 / 3));
    Row b = coreCorpus.get("given|tok|b");
    assertClose(b, "bits_per_byte", 1 / (5 * LN2));
    assertNull(b, "bits_per_char");
    assertNull(b, "ppl_word");
  }

  // ---------------------------------------------------------------- rejected rows

  private static void addRejectionRows() {
    CORE.add(core("rej-g0", "rej", "d", new double[] {-1, -1}, "ab"));
    bad(core("rej-x1", null, "d", new double[] {-1}, "ab"), "MISSING_LABEL", "label model");
    CORE.add(core("rej-g2", "rej", "d", new double[] {-2.5}, "ab"));
    bad(core("rej-x3", "", "d", new double[] {-1}, "ab"), "MISSING_LABEL", "label model");
    bad(core(null, "rej", "d", new double[] {-1}, "ab"), "MISSING_LABEL", "label sequence_id");
    bad(core("rej-x5", "rej", null, new double[] {-1}, "ab"), "MISSING_LABEL", "label domain");
    bad(core("rej-x6", "rej", "d", null, "ab"), "MISSING_LOGPROBS", "token_logprobs", "null");
    CORE.add(core("rej-g7", "rej", "d", new double[] {-3, -0.5}, "ab"));
    bad(
        core("rej-x8", "rej", "d", new double[] {}, "ab"),
        "EMPTY_LOGPROBS",
        "token_logprobs",
        "at least one");
    CORE.add(core("rej-g9", "rej", "d", new double[] {-0.25, -0.25, -0.25}, "ab"));
    bad(
        core("rej-x10", "rej", "d", Arrays.asList(-1.0, null, -1.0), "ab"),
        "NULL_LOGPROB",
        "token_logprobs[1] = null");
    CORE.add(core("rej-g11", "rej", "d", new double[] {-4}, "ab"));
    bad(
        core("rej-x12", "rej", "d", new double[] {-1, -1, Double.NaN}, "ab"),
        "NON_FINITE_LOGPROB",
        "token_logprobs[2] = NaN");
    bad(
        core("rej-x13", "rej", "d", new double[] {Double.POSITIVE_INFINITY}, "ab"),
        "NON_FINITE_LOGPROB",
        "token_logprobs[0] = Infinity");
    bad(
        core("rej-x14", "rej", "d", new double[] {-1, Double.NEGATIVE_INFINITY}, "ab"),
        "NON_FINITE_LOGPROB",
        "token_logprobs[1] = -Infinity");
    bad(
        core("rej-x15", "rej", "d", new double[] {-1, 0.5, -1}, "ab"),
        "POSITIVE_LOGPROB",
        "token_logprobs[1] = 0.5");
    CORE.add(core("rej-g16", "rej", "d", new double[] {-1, 1e-6}, "ab"));
    bad(
        core("rej-x17", "rej", "d", new double[] {-1}, null),
        "MISSING_TEXT_AND_COUNTS",
        "text",
        "num_bytes");
    CORE.add(core("rej-g18", "rej", "d", new double[] {-5, -5}, "abc"));
    // A row with two faults of different kinds: a positive value before a NaN.
    bad(
        core("rej-x19", "rej", "d", new double[] {-1, 0.5, Double.NaN}, "ab"),
        "NON_FINITE_LOGPROB");
    // Counts given beside a text that disagree with it: "héllo" is 6 bytes, 5 chars, 1 word.
    bad(
        core("rej-x20", "rej", "d", new double[] {-1}, "héllo", 5L, 5, 1L),
        "TEXT_COUNT_MISMATCH",
        "num_bytes = 5",
        "text has 6 UTF-8 bytes");
    bad(
        core("rej-x21", "rej", "d", new double[] {-1}, "héllo", 6L, 6, null),
        "TEXT_COUNT_MISMATCH",
        "num_chars = 6",
        "text has 5 code points");
    bad(
        core("rej-x22", "rej", "d", new double[] {-1}, " a b ", null, null, 2L),
        "TEXT_COUNT_MISMATCH",
        "num_words = 2",
        "text has 4 words");
  }

  @Test
  void badRowsAreRejectedWithReasonSourceRowAndMessage() {
    assertThat(coreRejected.keySet())
        .containsExactlyInAnyOrderElementsOf(
            CORE_BAD.keySet().stream().map(Integer::longValue).toList());
    for (Map.Entry<Integer, String[]> e : CORE_BAD.entrySet()) {
      Row r = coreRejected.get((long) e.getKey());
      String[] expected = e.getValue();
      assertThat(r.<String>getAs("reason"))
          .as("reason of row %d", e.getKey())
          .isEqualTo(expected[0]);
      assertThat(localPath(r.getAs("source_file"))).isEqualTo(coreFile);
      assertThat(r.<String>getAs("run_id")).isEqualTo("run-1");
      String message = r.getAs("message");
      assertThat(message)
          .as("message of row %d", e.getKey())
          .containsPattern("row " + e.getKey() + "\\b")
          .contains(new File(coreFile).getName());
      for (int i = 1; i < expected.length; i++) {
        assertThat(message).as("message of row %d", e.getKey()).contains(expected[i]);
      }
    }
    // Labels are kept on rejected rows, as given.
    Row nullModel = coreRejected.get((long) positionOf("rej-x1"));
    assertThat(nullModel.<String>getAs("sequence_id")).isEqualTo("rej-x1");
    assertNull(nullModel, "model");
    assertThat(nullModel.<String>getAs("tokenizer")).isEqualTo("tok");
    assertThat(nullModel.<String>getAs("domain")).isEqualTo("d");
    assertThat(coreRejected.get((long) positionOf("rej-x3")).<String>getAs("model")).isEmpty();
  }

  @Test
  void goodRowsBetweenBadRowsKeepTheirOwnValues() {
    assertThat(coreSequences.keySet().stream().filter(k -> k.startsWith("rej-")))
        .containsExactlyInAnyOrder(
            "rej-g0", "rej-g2", "rej-g7", "rej-g9", "rej-g11", "rej-g16", "rej-g18");
    assertSequence(coreSequences.get("rej-g0"), 2, 2.0, 1.0, Math.E);
    assertSequence(coreSequences.get("rej-g2"), 1, 2.5, 2.5, Math.exp(2.5));
    // right after a null list
    assertSequence(coreSequences.get("rej-g7"), 2, 3.5, 1.75, Math.exp(1.75));
    // right after an empty list
    assertSequence(coreSequences.get("rej-g9"), 3, 0.75, 0.25, Math.exp(0.25));
    // right after a list with a null element
    assertSequence(coreSequences.get("rej-g11"), 1, 4.0, 4.0, Math.exp(4));
    // 1e-6 > 0 but within the default tolerance 1e-4: scored, as it is
    assertSequence(
        coreSequences.get("rej-g16"), 2, 1 - 1e-6, (1 - 1e-6) / 2, Math.exp((1 - 1e-6) / 2));
    // right after a row with null text and no counts
    assertSequence(coreSequences.get("rej-g18"), 2, 10.0, 5.0, Math.exp(5));
    assertThat(coreSequences.get("rej-g18").<Long>getAs("bytes")).isEqualTo(3L);

    Row d = coreCorpus.get("rej|tok|d");
    assertThat(d.<Long>getAs("sequences")).isEqualTo(7L);
    assertThat(d.<Long>getAs("tokens")).isEqualTo(2L + 1 + 2 + 3 + 1 + 2 + 2);
    assertClose(d, "nll_sum", 2 + 2.5 + 3.5 + 0.75 + 4 + (1 - 1e-6) + 10);
  }

  @Test
  void rejectionMessageNamesTheElementOfItsReason() {
    Row r = coreRejected.get((long) positionOf("rej-x19"));
    assertThat(r.<String>getAs("reason")).isEqualTo("NON_FINITE_LOGPROB");
    assertThat(r.<String>getAs("message")).contains("token_logprobs[2] = NaN");
  }

  @Test
  void runsRowOfTheCoreFixtureBalances() {
    int scored = CORE.size() - CORE_BAD.size();
    assertThat(coreSequences).hasSize(scored);
    assertThat(coreResult.run().rowsRead()).isEqualTo(CORE.size());
    assertThat(coreResult.run().sequencesScored()).isEqualTo(scored);
    assertThat(coreResult.run().rowsRejected()).isEqualTo(CORE_BAD.size());
    assertThat(coreResult.run().accountingOk()).isTrue();
    assertThat(coreResult.run().status()).isEqualTo("succeeded");
    assertThat(coreResult.run().inputFiles())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(localPath(f.path())).isEqualTo(coreFile);
              assertThat(f.rowsRead()).isEqualTo(CORE.size());
              assertThat(f.scored()).isEqualTo(scored);
              assertThat(f.rejected()).isEqualTo(CORE_BAD.size());
            });
  }

  @Test
  void positiveToleranceIsConfigurable() {
    String in = dir("in");
    write(
        in,
        coreSchema(),
        List.of(
            core("small", "m", "d", new double[] {-1, 1e-6}, "ab"),
            core("zero", "m", "d", new double[] {-1, 0.0}, "ab"),
            core("bigger", "m", "d", new double[] {-1, 0.01}, "ab")));

    run(
        List.of(in),
        dir("strict"),
        JobConfig.load(
            null,
            List.of(
                "validation.positive-logprob-tolerance=0", "validation.max-rejected-fraction=1")));

    assertThat(sequences(dir("strict"))).containsOnlyKeys("zero");
    Map<String, Row> rejected = rejected(dir("strict"));
    assertThat(rejected.get("small").<String>getAs("reason")).isEqualTo("POSITIVE_LOGPROB");
    assertThat(rejected.get("small").<String>getAs("message"))
        .contains("token_logprobs[1] = 1.0E-6");
    assertThat(rejected.get("bigger").<String>getAs("message"))
        .contains("token_logprobs[1] = 0.01");
  }

  // ---------------------------------------------------------------- inputs, runs/

  @Test
  void foldersGlobsAndUrisAreReadAccountedPerFileAndASecondRunAppends() {
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType, true)
            .add("llm", DataTypes.StringType, true)
            .add("tok", DataTypes.StringType, true)
            .add("source", DataTypes.StringType, true)
            .add("lp", DataTypes.createArrayType(DataTypes.DoubleType), true)
            .add("body", DataTypes.StringType, true);
    String one = dir("one");
    String two = dir("two");
    String globbed = dir("globbed");
    String uri = dir("uri");
    write(one, schema, List.of(RowFactory.create("1", "m", "t", "d", new double[] {-1}, "a")));
    write(
        two,
        schema,
        List.of(
            RowFactory.create("2", "m", "t", "d", new double[] {-2}, "bb"),
            RowFactory.create("2x", "m", "t", "d", new double[] {}, "bb")));
    write(
        globbed,
        schema,
        List.of(
            RowFactory.create("3x", null, "t", "d", new double[] {-3}, "ccc"),
            RowFactory.create("3", "m", "t", "d", new double[] {-3}, "ccc"),
            RowFactory.create("3y", "m", "t", "d", new double[] {-1, Double.NaN}, "ccc")));
    write(uri, schema, List.of(RowFactory.create("4", "m", "t", "d", new double[] {-4}, "dddd")));
    JobConfig config =
        JobConfig.load(
            null,
            List.of(
                "columns.sequence-id=id",
                "columns.model=llm",
                "columns.tokenizer=tok",
                "columns.domain=source",
                "columns.token-logprobs=lp",
                "columns.text=body"));
    List<String> inputs =
        List.of(one, two, globbed + "/*.parquet", new File(uri).toURI().toString());
    String out = dir("out");

    ScoreJob.run(spark, new ScoreRequest(inputs, out, "first", config));

    Map<String, Row> seq = sequences(out);
    assertThat(seq).containsOnlyKeys("1", "2", "3", "4");
    for (int i = 1; i <= 4; i++) {
      Row r = seq.get(String.valueOf(i));
      assertThat(r.<Double>getAs("nll_sum")).isEqualTo((double) i);
      assertThat(r.<Long>getAs("bytes")).isEqualTo((long) i);
      assertThat(r.<String>getAs("model")).isEqualTo("m");
      assertThat(r.<String>getAs("tokenizer")).isEqualTo("t");
      assertThat(r.<String>getAs("domain")).isEqualTo("d");
    }
    Map<String, Row> rejected = rejected(out);
    assertThat(rejected).containsOnlyKeys("2x", "3x", "3y");
    assertThat(rejected.get("3x").<String>getAs("message")).contains("label llm");
    assertThat(rejected.get("3x").<Long>getAs("source_row")).isZero();
    assertThat(rejected.get("3y").<String>getAs("message")).contains("lp[1] = NaN");
    assertThat(rejected.get("3y").<Long>getAs("source_row")).isEqualTo(2L);
    assertThat(localPath(rejected.get("3y").getAs("source_file")))
        .isEqualTo(onlyParquetFile(globbed));

    Row run = onlyRow(out + "/runs");
    assertThat(run.<String>getAs("run_id")).isEqualTo("first");
    assertThat(run.<String>getAs("status")).isEqualTo("succeeded");
    assertThat(run.<String>getAs("format")).isEqualTo("logprobs");
    assertThat(run.<Long>getAs("rows_read")).isEqualTo(7L);
    assertThat(run.<Long>getAs("sequences_scored")).isEqualTo(4L);
    assertThat(run.<Long>getAs("rows_rejected")).isEqualTo(3L);
    assertThat(run.<Boolean>getAs("accounting_ok")).isTrue();
    assertThat(run.getList(run.fieldIndex("inputs"))).containsExactlyElementsOf(inputs);
    assertThat(run.<String>getAs("spark_version")).isEqualTo(spark.version());
    assertThat(run.<String>getAs("master")).isEqualTo("local[2]");
    assertThat(run.<String>getAs("configuration")).contains("\"model\":\"llm\"");
    assertThat(run.<Timestamp>getAs("ended_at"))
        .isAfterOrEqualTo(run.<Timestamp>getAs("started_at"));
    Map<String, Row> files = new HashMap<>();
    for (Row f : run.<Row>getList(run.fieldIndex("input_files"))) {
      files.put(localPath(f.getAs("path")), f);
    }
    assertThat(files)
        .containsOnlyKeys(
            onlyParquetFile(one),
            onlyParquetFile(two),
            onlyParquetFile(globbed),
            onlyParquetFile(uri));
    assertInputFile(files.get(onlyParquetFile(one)), 1, 1, 0);
    assertInputFile(files.get(onlyParquetFile(two)), 2, 1, 1);
    assertInputFile(files.get(onlyParquetFile(globbed)), 3, 1, 2);
    assertInputFile(files.get(onlyParquetFile(uri)), 1, 1, 0);
    Row twoFile = files.get(onlyParquetFile(two));
    assertThat(twoFile.<Long>getAs("bytes")).isEqualTo(new File(onlyParquetFile(two)).length());
    assertThat(twoFile.<Timestamp>getAs("modified_at")).isNotNull();

    ScoreJob.run(spark, new ScoreRequest(List.of(two), out, "second", config));

    List<Row> runs = spark.read().parquet(out + "/runs").orderBy("started_at").collectAsList();
    assertThat(runs).extracting(r -> r.<String>getAs("run_id")).containsExactly("first", "second");
    assertThat(runs.get(1).<Long>getAs("rows_read")).isEqualTo(2L);
    assertThat(runs.get(1).<Long>getAs("sequences_scored")).isEqualTo(1L);
    assertThat(runs.get(1).<Long>getAs("rows_rejected")).isEqualTo(1L);
    // The second run replaced the rows of the file it read, and kept the other files' rows.
    Map<String, Row> after = sequences(out);
    assertThat(after).containsOnlyKeys("1", "2", "3", "4");
    assertThat(after.get("2").<String>getAs("run_id")).isEqualTo("second");
    assertThat(List.of("1", "3", "4"))
        .allSatisfy(k -> assertThat(after.get(k).<String>getAs("run_id")).isEqualTo("first"));
    Map<String, Row> rejectedAfter = rejected(out);
    assertThat(rejectedAfter).containsOnlyKeys("2x", "3x", "3y");
    assertThat(rejectedAfter.get("2x").<String>getAs("run_id")).isEqualTo("second");
    assertThat(rejectedAfter.get("3y").<String>getAs("run_id")).isEqualTo("first");
    // corpus/ is recomputed over every stored sequence, whichever run wrote it.
    assertThat(spark.read().parquet(out + "/corpus").collectAsList())
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.<String>getAs("run_id")).isEqualTo("second"))
        .allSatisfy(r -> assertThat(r.<Long>getAs("sequences")).isEqualTo(4L));
  }

  @Test
  void missingInputPathFailsNamingThePath() {
    String missing = tmp.resolve("nowhere").toString();
    assertThatThrownBy(() -> run(List.of(missing), dir("out"), JobConfig.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing);
  }

  @Test
  void inputWithoutTokenLogprobsFailsNamingTheColumn() {
    String in = dir("in");
    write(
        in,
        labels().add("text", DataTypes.StringType, true),
        List.of(RowFactory.create("a", "m", "t", "d", "x")));
    assertThatThrownBy(() -> run(List.of(in), dir("out"), JobConfig.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token_logprobs");
  }

  // ---------------------------------------------------------------- Parquet encodings, batches

  @Test
  void dictionaryEncodedTextAndLogprobsAreReadRight() throws IOException {
    // All pages of the first file are dictionary pages (few distinct values on many rows).
    String dictionary = dir("dictionary");
    String[] texts = {"the same text, again and again", "日本語 😀", " a b "};
    long[][] counts = {{30, 30, 6}, {14, 5, 2}, {5, 5, 4}};
    double[] values = {-1.0, -0.5, -2.0};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      double[] lp = repeat(values[i % 3], 1 + i % 4);
      String text = i % 50 == 7 ? null : texts[i % 3];
      Object list = i % 50 == 11 ? null : lp;
      rows.add(core("s" + i, "m", "d", list, text));
    }
    write(dictionary, coreSchema(), rows);
    String file = onlyParquetFile(dictionary);
    for (String column : List.of("text", "token_logprobs.list.element")) {
      assertThat(pages(file, column).hasDictionaryEncodedPages()).as(column).isTrue();
      assertThat(pages(file, column).hasNonDictionaryEncodedPages()).as(column).isFalse();
    }
    // The second file's writer gives up the dictionary half-way (tiny dictionary page limit), so a
    // reader batch holds dictionary-encoded and plain values.
    String fallback = dir("fallback");
    List<Row> fallbackRows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String text = i < 200 ? "repeat" : "distinct text number " + i;
      double value = i < 200 ? -1.0 : -(i / 1024.0);
      fallbackRows.add(core("f" + i, "m", "d", new double[] {value, value}, text));
    }
    spark
        .createDataFrame(fallbackRows, coreSchema())
        .coalesce(1)
        .write()
        .option("parquet.dictionary.page.size", "512")
        .option("parquet.page.size", "512")
        .parquet(fallback);
    String fallbackFile = onlyParquetFile(fallback);
    for (String column : List.of("text", "token_logprobs.list.element")) {
      assertThat(pages(fallbackFile, column).hasDictionaryEncodedPages()).as(column).isTrue();
      assertThat(pages(fallbackFile, column).hasNonDictionaryEncodedPages()).as(column).isTrue();
    }

    RunResult result = run(List.of(dictionary, fallback), dir("out"), JobConfig.defaults());

    Map<String, Row> seq = sequences(dir("out"));
    Map<String, Row> rejected = rejected(dir("out"));
    for (int i = 0; i < 300; i++) {
      String id = "s" + i;
      if (i % 50 == 7) {
        assertThat(rejected.get(id).<String>getAs("reason")).isEqualTo("MISSING_TEXT_AND_COUNTS");
      } else if (i % 50 == 11) {
        assertThat(rejected.get(id).<String>getAs("reason")).isEqualTo("MISSING_LOGPROBS");
      } else {
        int tokens = 1 + i % 4;
        double mean = -values[i % 3];
        assertSequence(seq.get(id), tokens, mean * tokens, mean, Math.exp(mean));
        assertCounts(seq.get(id), counts[i % 3][0], counts[i % 3][1], counts[i % 3][2]);
      }
    }
    for (int i = 0; i < 400; i++) {
      Row r = seq.get("f" + i);
      String text = i < 200 ? "repeat" : "distinct text number " + i;
      double value = i < 200 ? 1.0 : i / 1024.0;
      assertThat(r.<Double>getAs("nll_sum")).as("nll_sum of f%d", i).isEqualTo(2 * value);
      assertThat(r.<Long>getAs("bytes")).as("bytes of f%d", i).isEqualTo((long) text.length());
    }
    assertThat(result.run().rowsRejected()).isEqualTo(12);
    assertThat(result.run().sequencesScored()).isEqualTo(288 + 400);
  }

  @Test
  void smallBatchesGiveTheSameTablesAsTheDefaultBatchSize() {
    String in = dir("in");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      Object lp =
          switch (i % 7) {
            case 1 -> null;
            case 3 -> new double[] {};
            case 5 -> Arrays.asList(-1.0, null);
            default -> new double[] {-(i + 1), -0.5};
          };
      String text = i == 13 ? null : "t".repeat(i + 1);
      String model = i == 20 ? null : "m";
      rows.add(core("s" + i, model, "d" + (i % 2), lp, text));
    }
    write(in, coreSchema(), rows);

    // 12 of the 23 rows are bad, more than the default max-rejected-fraction allows.
    String lenient = "validation.max-rejected-fraction=1";
    run(List.of(in), dir("default"), JobConfig.load(null, List.of(lenient)));
    run(List.of(in), dir("small"), JobConfig.load(null, List.of("read.batch-rows=3", lenient)));

    Map<String, Row> small = sequences(dir("small"));
    assertThat(small).hasSize(23 - 12);
    for (Row r : small.values()) {
      int i = Integer.parseInt(r.<String>getAs("sequence_id").substring(1));
      assertThat(r.<Double>getAs("nll_sum")).isEqualTo(i + 1.5);
      assertThat(r.<Long>getAs("bytes")).isEqualTo(i + 1L);
    }
    assertThat(withoutRunId(dir("small"), "sequences"))
        .containsExactlyInAnyOrderElementsOf(withoutRunId(dir("default"), "sequences"));
    assertThat(withoutRunId(dir("small"), "rejected"))
        .hasSize(12)
        .containsExactlyInAnyOrderElementsOf(withoutRunId(dir("default"), "rejected"));
    assertThat(withoutRunId(dir("small"), "corpus"))
        .containsExactlyInAnyOrderElementsOf(withoutRunId(dir("default"), "corpus"));
  }

  // ---------------------------------------------------------------- extremes

  @Test
  void hugeButFiniteLogprobIsScored() {
    // An engine that clamps ln 0 to -Float.MAX_VALUE ships a finite value <= 0: the kernel scores
    // it, and the run must complete with the figure it implies.
    String in = dir("in");
    write(
        in,
        noTextSchema(),
        List.of(
            RowFactory.create("huge", "m", "tok", "d", new float[] {-Float.MAX_VALUE}, 1, 1L, 1),
            RowFactory.create("fine", "m", "tok", "d", new float[] {-1}, 1, 1L, 1)));

    RunResult result = run(List.of(in), dir("out"), JobConfig.defaults());

    assertThat(sequences(dir("out")).get("huge").<Double>getAs("nll_sum"))
        .isEqualTo((double) Float.MAX_VALUE);
    assertThat(result.run().status()).isEqualTo("succeeded");
    assertClose(corpus(dir("out")).get("m|tok|d"), "nll_sum", (double) Float.MAX_VALUE + 1);
  }

  // ---------------------------------------------------------------- fixtures

  private static final float F_LN2 = (float) -LN2;
  private static final float F_LN8 = (float) -LN8;

  /** The core layout: labels, list of double, text, and counts of long, int and long. */
  private static StructType coreSchema() {
    return labels()
        .add("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType, true), true)
        .add("text", DataTypes.StringType, true)
        .add("num_bytes", DataTypes.LongType, true)
        .add("num_chars", DataTypes.IntegerType, true)
        .add("num_words", DataTypes.LongType, true);
  }

  /** No text: labels, list of float, and counts of int, long and int. */
  private static StructType noTextSchema() {
    return labels()
        .add("token_logprobs", DataTypes.createArrayType(DataTypes.FloatType, true), true)
        .add("num_bytes", DataTypes.IntegerType, true)
        .add("num_chars", DataTypes.LongType, true)
        .add("num_words", DataTypes.IntegerType, true);
  }

  private static List<Row> noTextRows() {
    return List.of(
        noText("f-a", "full", new float[] {F_LN2, F_LN2, F_LN8}, 10, 8L, 3),
        noText("f-b", "full", new float[] {-0.5f, -0.25f, -2.0f, -1.5f, -0.75f}, 6, 6L, 1),
        noText("f-c", "full", List.of(-0.1f, -0.1f, -0.1f), 6, 6L, 1),
        noText("f-big", "full", new float[] {-1}, 2_000_000_000, 600_000_000L, 2),
        noText("f-nochars-1", "nochars", new float[] {-1}, 4, null, 1),
        noText("f-nochars-2", "nochars", new float[] {-1}, 4, 4L, 1),
        noText("f-nowords-1", "nowords", new float[] {-1}, 4, 4L, null),
        noText("f-nowords-2", "nowords", new float[] {-1}, 4, 4L, 1));
  }

  private static Row noText(
      String id, String domain, Object logprobs, Integer bytes, Long chars, Integer words) {
    return RowFactory.create(id, "f", "tok", domain, logprobs, bytes, chars, words);
  }

  private static StructType labels() {
    return new StructType()
        .add("sequence_id", DataTypes.StringType, true)
        .add("model", DataTypes.StringType, true)
        .add("tokenizer", DataTypes.StringType, true)
        .add("domain", DataTypes.StringType, true);
  }

  private static Row core(String id, String model, String domain, Object logprobs, String text) {
    return core(id, model, domain, logprobs, text, null, null, null);
  }

  private static Row core(
      String id,
      String model,
      String domain,
      Object logprobs,
      String text,
      Long bytes,
      Integer chars,
      Long words) {
    return RowFactory.create(id, model, "tok", domain, logprobs, text, bytes, chars, words);
  }

  private static void bad(Row row, String reason, String... messageFragments) {
    String[] expected = new String[messageFragments.length + 1];
    expected[0] = reason;
    System.arraycopy(messageFragments, 0, expected, 1, messageFragments.length);
    CORE_BAD.put(CORE.size(), expected);
    CORE.add(row);
  }

  private static int positionOf(String id) {
    for (int i = 0; i < CORE.size(); i++) {
      if (id.equals(CORE.get(i).getString(0))) {
        return i;
      }
    }
    throw new IllegalArgumentException("no row " + id);
  }

  private static double[] repeat(double value, int times) {
    double[] out = new double[times];
    Arrays.fill(out, value);
    return out;
  }

  private static List<String> nCopies(int n, String s) {
    return Collections.nCopies(n, s);
  }

  /** One Parquet file per fixture, so that row positions in it are the list's positions. */
  private static void write(String dir, StructType schema, List<Row> rows) {
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir);
  }

  // ---------------------------------------------------------------- running and reading

  private static RunResult run(List<String> inputs, String output, JobConfig config) {
    return ScoreJob.run(spark, new ScoreRequest(inputs, output, "run-1", config));
  }

  private String dir(String name) {
    return tmp.resolve(name).toString();
  }

  private static String onlyParquetFile(String dir) {
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      List<Path> parquet =
          files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
      assertThat(parquet).as("Parquet files in %s", dir).hasSize(1);
      return parquet.get(0).toAbsolutePath().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String localPath(String uri) {
    return Path.of(URI.create(uri)).toAbsolutePath().toString();
  }

  /** How the data pages of a column are encoded (one row group expected). */
  private static EncodingStats pages(String file, String column) throws IOException {
    List<EncodingStats> out = new ArrayList<>();
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(new File(file).toURI()), new Configuration()))) {
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        for (ColumnChunkMetaData chunk : block.getColumns()) {
          if (chunk.getPath().toDotString().equals(column)) {
            out.add(chunk.getEncodingStats());
          }
        }
      }
    }
    assertThat(out).as("column chunks of %s", column).hasSize(1);
    return out.get(0);
  }

  private static Map<String, Row> sequences(String output) {
    return byKey(output + "/sequences", r -> r.<String>getAs("sequence_id"));
  }

  private static Map<String, Row> rejected(String output) {
    return byKey(output + "/rejected", r -> r.<String>getAs("sequence_id"));
  }

  private static Map<String, Row> corpus(String output) {
    return byKey(
        output + "/corpus",
        r -> r.getAs("model") + "|" + r.getAs("tokenizer") + "|" + r.getAs("domain"));
  }

  private static <K> Map<K, Row> byKey(String path, Function<Row, K> key) {
    Map<K, Row> out = new HashMap<>();
    for (Row r : spark.read().parquet(path).collectAsList()) {
      assertThat(out.put(key.apply(r), r))
          .as("duplicate key %s in %s", key.apply(r), path)
          .isNull();
    }
    return out;
  }

  private static Row onlyRow(String path) {
    List<Row> rows = spark.read().parquet(path).collectAsList();
    assertThat(rows).as(path).hasSize(1);
    return rows.get(0);
  }

  private static List<String> withoutRunId(String output, String table) {
    return spark.read().parquet(output + "/" + table).drop("run_id").collectAsList().stream()
        .map(Row::toString)
        .toList();
  }

  // ---------------------------------------------------------------- assertions

  private static void assertSequence(Row r, long tokens, double nll, double mean, double ppl) {
    assertThat(r).as("sequence").isNotNull();
    String id = r.getAs("sequence_id");
    assertThat(r.<Long>getAs("tokens")).as("tokens of %s", id).isEqualTo(tokens);
    assertThat(r.<Double>getAs("nll_sum")).as("nll_sum of %s", id).isCloseTo(nll, within(EPS));
    assertThat(r.<Double>getAs("mean_nll")).as("mean_nll of %s", id).isCloseTo(mean, within(EPS));
    assertThat(r.<Double>getAs("ppl")).as("ppl of %s", id).isCloseTo(ppl, within(EPS * ppl));
  }

  private static void assertCounts(Row r, long bytes, long chars, long words) {
    assertThat(r).as("sequence").isNotNull();
    String id = r.getAs("sequence_id");
    assertThat(r.<Long>getAs("bytes")).as("bytes of %s", id).isEqualTo(bytes);
    assertThat(r.<Long>getAs("chars")).as("chars of %s", id).isEqualTo(chars);
    assertThat(r.<Long>getAs("words")).as("words of %s", id).isEqualTo(words);
  }

  private static void assertClose(Row r, String column, double expected) {
    assertThat(r).as("row").isNotNull();
    assertThat(r.isNullAt(r.fieldIndex(column))).as("%s is null", column).isFalse();
    assertThat(r.<Double>getAs(column))
        .as(column)
        .isCloseTo(expected, within(EPS * Math.max(1, Math.abs(expected))));
  }

  private static void assertNull(Row r, String column) {
    assertThat(r).as("row").isNotNull();
    assertThat(r.isNullAt(r.fieldIndex(column))).as("%s is null", column).isTrue();
  }

  private static void assertInputFile(Row f, long read, long scored, long rejected) {
    assertThat(f.<Long>getAs("rows_read")).isEqualTo(read);
    assertThat(f.<Long>getAs("rows_scored")).isEqualTo(scored);
    assertThat(f.<Long>getAs("rows_rejected")).isEqualTo(rejected);
  }
}
