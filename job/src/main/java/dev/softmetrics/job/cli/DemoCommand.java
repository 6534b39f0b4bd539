package dev.softmetrics.job.cli;

import dev.softmetrics.job.Versions;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.demo.DemoCorpusWriter;
import dev.softmetrics.job.demo.DemoLogitsWriter;
import dev.softmetrics.job.demo.SyntheticLogits;
import dev.softmetrics.job.score.ScoreRequest;
import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code softmetrics demo}: makes the sample corpus (once), scores it, prints the summary.
 * Everything lands under one folder: the shards in {@code input/}, the tables next to it.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description =
        "Make sample corpora (log-prob shards; logits shards with a reference model; the same"
            + " sequences as log-probs with extras), score them and print the summaries.")
public final class DemoCommand implements Callable<Integer> {
  /** Documents in the demo corpus; each is scored by 2 models under 2 tokenizers. */
  static final long DOCUMENTS = 1500;

  static final int FILES = 6;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Folder for the sample shards (input/) and the tables (default: demo-output).")
  File output = new File("demo-output");

  @Option(names = "--seed", description = "Seed of the sample corpus (default: 42).")
  long seed = 42;

  /** One bad chunk in this many logits sequences, so that rejected/ shows the layout's checks. */
  static final int LOGITS_BAD_EVERY = 29;

  @Override
  public Integer call() {
    JobConfig config = JobConfig.defaults();
    File input = new File(output, "input");
    File logits = new File(output, "logits");
    File extras = new File(output, "logprob-extras");
    System.err.println("softmetrics: configuration " + config.rendered());
    SparkSession spark = Sessions.open(null, config);
    try {
      if (!new File(input, "_SUCCESS").isFile()) {
        DemoCorpusWriter.Shape shape = new DemoCorpusWriter.Shape(seed, 24, 400, 997);
        long sequences = DOCUMENTS * 4;
        DemoCorpusWriter.write(spark, shape, sequences, FILES, input.getAbsolutePath());
        System.err.printf(
            "softmetrics: wrote the sample corpus, %,d sequences in %d shards, to %s%n",
            sequences, FILES, input);
      }
      File logitsInput = new File(logits, "input");
      File extrasInput = new File(extras, "input");
      if (!new File(logitsInput, "_SUCCESS").isFile()
          || !new File(extrasInput, "_SUCCESS").isFile()) {
        DemoLogitsWriter.Shape demo = DemoLogitsWriter.Shape.DEMO;
        DemoLogitsWriter.Shape shape =
            new DemoLogitsWriter.Shape(
                seed, demo.tokensMin(), demo.tokensMax(), demo.chunkPositions(), LOGITS_BAD_EVERY);
        long sequences = DemoLogitsWriter.DEMO_SEQUENCES;
        int files = DemoLogitsWriter.DEMO_FILES;
        DemoLogitsWriter.writeLogits(spark, shape, sequences, files, logitsInput.getAbsolutePath());
        DemoLogitsWriter.writeLogprobs(
            spark, shape, sequences, files, extrasInput.getAbsolutePath());
        System.err.printf(
            "softmetrics: wrote the sample logits corpus (V = %d, with a reference model), %,d"
                + " sequences, to %s, and the same sequences as log-probs with entropies, reference"
                + " log-probs and top-%d log-probs to %s%n",
            SyntheticLogits.VOCAB_SIZE, sequences, logitsInput, SyntheticLogits.TOP_K, extrasInput);
      }
      System.out.printf("== Log-probs of 2 models x 2 tokenizers x 3 domains (%s)%n%n", input);
      int status = ScoreCommand.runOn(spark, request(input, output, config));
      System.out.printf(
          "%n== Full logits (V = %d) with a reference model: entropy and exact KL (%s)%n%n",
          SyntheticLogits.VOCAB_SIZE, logitsInput);
      status = Math.max(status, ScoreCommand.runOn(spark, request(logitsInput, logits, config)));
      System.out.printf(
          "%n== The same sequences as log-probs with their extras: KL estimates k1-k3 and top-%d"
              + " entropy bounds (%s)%n%n",
          SyntheticLogits.TOP_K, extrasInput);
      status = Math.max(status, ScoreCommand.runOn(spark, request(extrasInput, extras, config)));
      System.out.printf(
          "%nTables are under %s, %s and %s (sequences/, corpus/, rejected/, runs/); read them with"
              + " Spark, DuckDB or pandas, e.g. duckdb -c \"SELECT * FROM '%s/corpus/*.parquet'\"%n",
          output, logits, extras, logits);
      return status;
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
