package dev.softmetrics.demo.europarl;

import java.io.File;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The demo's corpora, from real text, real tokenizers and a real model: Europarl documents in five
 * languages ({@link EuroparlSplit}), tokenized by r50k_base and o200k_base, scored by Kneser-Ney
 * models trained on the rest of the text ({@link TokenizerModels}), written as three input folders:
 * the held-out documents ({@link HeldOutCorpus}), the RL checkpoints' rollouts under r50k_base
 * ({@link Rollouts}) and a small part of both in the logits layout ({@link LogitsCorpus}).
 *
 * <p>Everything is deterministic: the split follows the file's order, and the rollouts' draws come
 * from SplitMix64 streams keyed by the seed, the checkpoint and the prompt.
 */
public final class EuroparlDemoCorpus {
  private EuroparlDemoCorpus() {}

  /** The tokenizer of the rollouts and of the logits layout. */
  public static final DemoTokenizer ROLLOUT_TOKENIZER = DemoTokenizer.R50K_BASE;

  private static final int VERSION = 1;

  /**
   * The three input folders.
   *
   * @param heldOut the held-out documents, log-prob layout
   * @param rollouts the checkpoints' rollouts, log-prob layout
   * @param logits the logits layout
   */
  public record Folders(File heldOut, File rollouts, File logits) {
    List<File> all() {
      return List.of(heldOut, rollouts, logits);
    }
  }

  /** True if all three folders hold this corpus (same version and seed), complete. */
  public static boolean isWritten(Folders folders, long seed) {
    return folders.all().stream().allMatch(f -> DemoShards.isWritten(f, fingerprint(seed)));
  }

  /** Builds the corpus and writes the three folders, with a line per step on {@code log}. */
  public static void write(SparkSession spark, long seed, Folders folders, PrintStream log) {
    long start = System.nanoTime();
    EuroparlSplit split = EuroparlSplit.of(EuroparlText.lines(), new StopWordLanguage());
    log.printf(
        "softmetrics: demo: %d held-out and %d training Europarl documents in %s (%.1f s)%n",
        split.heldOut().size(),
        split.training().size(),
        String.join(", ", EuroparlSplit.LANGUAGES),
        seconds(start));
    List<TokenizerModels> models =
        Arrays.stream(DemoTokenizer.values()).map(t -> TokenizerModels.train(t, split)).toList();
    for (TokenizerModels m : models) {
      log.printf(
          "softmetrics: demo: %s (V = %,d): trained %s and %s on %,d tokens (%.1f s)%n",
          m.tokenizer().label(),
          m.tokenizer().vocabSize(),
          TokenizerModels.MODEL,
          TokenizerModels.REFERENCE,
          m.trainingTokens(),
          seconds(start));
    }
    String fingerprint = fingerprint(seed);
    List<Row> heldOut = HeldOutCorpus.rows(split, models);
    DemoShards.write(spark, heldOut, LogprobSequence.SCHEMA, folders.heldOut(), 4, fingerprint);
    log.printf("softmetrics: demo: scored the held-out text (%.1f s)%n", seconds(start));
    TokenizerModels rolloutModels =
        models.stream().filter(m -> m.tokenizer() == ROLLOUT_TOKENIZER).findFirst().orElseThrow();
    List<Rollouts.Rollout> rollouts = Rollouts.draw(split, rolloutModels, seed);
    List<Row> rolloutRows = rollouts.stream().map(r -> r.scored().row()).toList();
    DemoShards.write(
        spark, rolloutRows, LogprobSequence.SCHEMA, folders.rollouts(), 2, fingerprint);
    log.printf("softmetrics: demo: drew the rollouts (%.1f s)%n", seconds(start));
    List<Row> logits = LogitsCorpus.rows(split, rolloutModels, rollouts);
    DemoShards.write(spark, logits, LogitsRows.SCHEMA, folders.logits(), 4, fingerprint);
    log.printf(
        "softmetrics: demo: wrote %,d held-out rows, %,d rollouts of %d checkpoints and %,d logits"
            + " chunks (%s) (%.1f s)%n",
        heldOut.size(),
        rollouts.size(),
        RlCheckpoint.SERIES.size(),
        logits.size(),
        ROLLOUT_TOKENIZER.label(),
        seconds(start));
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static String fingerprint(long seed) {
    return "softmetrics Europarl demo corpus, version " + VERSION + ", seed " + seed + "\n";
  }
}
