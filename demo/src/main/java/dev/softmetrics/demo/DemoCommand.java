package dev.softmetrics.demo;

import dev.softmetrics.demo.europarl.DemoDependencies;
import dev.softmetrics.demo.europarl.EuroparlDemoCorpus;
import dev.softmetrics.demo.europarl.RlCheckpoint;
import dev.softmetrics.demo.europarl.TokenizerLesson;
import dev.softmetrics.job.cli.ScoreCommand;
import dev.softmetrics.job.cli.Sessions;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.config.Versions;
import dev.softmetrics.job.score.RunResult;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code softmetrics demo}: makes the Europarl demo corpus (once), scores its three inputs, prints
 * the summaries and the tokenizer lesson. Everything lands under one folder: {@code heldout/},
 * {@code rollouts/} and {@code logits/}, each with its {@code input/} beside its tables.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description =
        "Make the demo corpus (Europarl text in five languages, two real tokenizers, Kneser-Ney"
            + " models trained on the rest of the text, sharpened RL checkpoints), score it and"
            + " print the summaries.")
public final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Folder for the inputs and the tables (default: demo-output).")
  File output = new File("demo-output");

  @Option(names = "--seed", description = "Seed of the rollouts' draws (default: 42).")
  long seed = 42;

  @Option(
      names = "--verbose",
      description =
          "Print the resolved configuration (runs/ records it either way) before the runs.")
  boolean verbose;

  @Override
  public Integer call() {
    DemoDependencies.require();
    JobConfig config = JobConfig.defaults();
    File heldOut = new File(output, "heldout");
    File rollouts = new File(output, "rollouts");
    File logits = new File(output, "logits");
    EuroparlDemoCorpus.Folders inputs =
        new EuroparlDemoCorpus.Folders(
            new File(heldOut, "input"), new File(rollouts, "input"), new File(logits, "input"));
    if (verbose) {
      ScoreCommand.printConfiguration(config);
    }
    SparkSession spark = Sessions.open(null, config);
    try {
      if (!EuroparlDemoCorpus.isWritten(inputs, seed)) {
        EuroparlDemoCorpus.write(spark, seed, inputs, System.err);
      }
      System.out.printf(
          "== Held-out Europarl text in five languages, scored by kn3 and kn2 under r50k_base and"
              + " o200k_base (%s)%n%n",
          inputs.heldOut());
      RunResult text = ScoreCommand.runOn(spark, request(inputs.heldOut(), heldOut, config));
      System.out.printf("%n%s", TokenizerLesson.text(text.corpus()));
      System.out.printf(
          "%n== %d RL checkpoints of kn3 (%s): sampled rollouts, KL estimates against kn3 (%s)%n%n",
          RlCheckpoint.SERIES.size(),
          EuroparlDemoCorpus.ROLLOUT_TOKENIZER.label(),
          inputs.rollouts());
      ScoreCommand.runOn(spark, request(inputs.rollouts(), rollouts, config));
      System.out.printf(
          "%n== Full logits (V = %,d, bfloat16): exact entropy and KL on a few sequences (%s)%n%n",
          EuroparlDemoCorpus.ROLLOUT_TOKENIZER.vocabSize(), inputs.logits());
      ScoreCommand.runOn(spark, request(inputs.logits(), logits, config));
      System.out.printf(
          "%nTables are under %s, %s and %s (sequences/, corpus/, rejected/, runs/,"
              + " comparisons/); read them with Spark, DuckDB or pandas, e.g. duckdb -c \"SELECT * FROM '%s/corpus/*.parquet'\","
              + " or open the notebooks in notebooks/%n",
          heldOut, rollouts, logits, heldOut);
      return 0;
    } finally {
      spark.stop();
    }
  }

  private static ScoreRequest request(File input, File output, JobConfig config) {
    return new ScoreRequest(
        List.of(input.getAbsolutePath()),
        output.getAbsolutePath(),
        ScoreCommand.newRunId(),
        config);
  }
}
