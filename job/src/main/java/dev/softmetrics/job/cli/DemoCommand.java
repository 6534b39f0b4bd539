package dev.softmetrics.job.cli;

import dev.softmetrics.job.Versions;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.demo.DemoCorpusWriter;
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
    description = "Make a sample corpus of log-prob shards, score it and print the summary.")
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

  @Override
  public Integer call() {
    File input = new File(output, "input");
    JobConfig config = JobConfig.defaults();
    if (!new File(input, "_SUCCESS").isFile()) {
      SparkSession spark = Sessions.open(null, config);
      try {
        DemoCorpusWriter.Shape shape = new DemoCorpusWriter.Shape(seed, 24, 400, 997);
        long sequences = DOCUMENTS * 4;
        DemoCorpusWriter.write(spark, shape, sequences, FILES, input.getAbsolutePath());
        System.err.printf(
            "softmetrics: wrote the sample corpus, %,d sequences in %d shards, to %s%n",
            sequences, FILES, input);
      } finally {
        spark.stop();
      }
    }
    int status =
        ScoreCommand.run(
            new ScoreRequest(
                List.of(input.getAbsolutePath()),
                output.getAbsolutePath(),
                ScoreCommand.newRunId(),
                config),
            null);
    System.out.printf(
        "%nTables are under %s (sequences/, corpus/, rejected/, runs/); read them with Spark, DuckDB or"
            + " pandas, e.g. duckdb -c \"SELECT * FROM '%s/corpus/*.parquet'\"%n",
        output, output);
    return status;
  }
}
