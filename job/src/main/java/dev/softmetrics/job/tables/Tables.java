package dev.softmetrics.job.tables;

import static dev.softmetrics.job.tables.Columns.BOOTSTRAP_REPLICATES;
import static dev.softmetrics.job.tables.Columns.BYTES;
import static dev.softmetrics.job.tables.Columns.CHARS;
import static dev.softmetrics.job.tables.Columns.CI_CONFIDENCE;
import static dev.softmetrics.job.tables.Columns.DOMAIN;
import static dev.softmetrics.job.tables.Columns.MEAN_NLL;
import static dev.softmetrics.job.tables.Columns.MESSAGE;
import static dev.softmetrics.job.tables.Columns.MODEL;
import static dev.softmetrics.job.tables.Columns.NLL_SUM;
import static dev.softmetrics.job.tables.Columns.PPL;
import static dev.softmetrics.job.tables.Columns.REASON;
import static dev.softmetrics.job.tables.Columns.RUN_ID;
import static dev.softmetrics.job.tables.Columns.SEQUENCE_ID;
import static dev.softmetrics.job.tables.Columns.SOURCE_FILE;
import static dev.softmetrics.job.tables.Columns.SOURCE_ROW;
import static dev.softmetrics.job.tables.Columns.TOKENIZER;
import static dev.softmetrics.job.tables.Columns.TOKENS;
import static dev.softmetrics.job.tables.Columns.VOCAB_SIZE;
import static dev.softmetrics.job.tables.Columns.WORDS;
import static dev.softmetrics.job.tables.TableColumn.optional;
import static dev.softmetrics.job.tables.TableColumn.required;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createMapType;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * The output tables, each built from the column catalogue ({@link Columns}, {@link SoftColumn} and
 * the table's own columns below): the one place that says what a table holds, in which order. The
 * writers (package {@code output}) and every reader take their schemas and folder names from here;
 * README's "Output tables" is checked against these schemas ({@code OutputSchemaDocTest}).
 */
public final class Tables {
  private Tables() {}

  /** {@code sequences/}: one row per scored sequence ({@link SequenceRow}). */
  public static final Table SEQUENCES =
      Table.named("sequences")
          .add(RUN_ID, SEQUENCE_ID, MODEL, TOKENIZER, DOMAIN)
          .add(TOKENS, NLL_SUM, MEAN_NLL, PPL, BYTES, CHARS, WORDS)
          .add(SoftColumn.columns())
          .add(VOCAB_SIZE, SOURCE_FILE)
          .add(Columns.POSITION_TOKENS, Columns.POSITION_NLL_SUM, Columns.POSITION_ENTROPY_SUM)
          .build();

  /**
   * {@code rejected/}: one row per input row that was not scored ({@link RejectedRow}); its labels
   * are as read, and may be null.
   */
  public static final Table REJECTED =
      Table.named("rejected")
          .add(RUN_ID)
          .add(
              SEQUENCE_ID.asNullable(),
              MODEL.asNullable(),
              TOKENIZER.asNullable(),
              DOMAIN.asNullable())
          .add(SOURCE_FILE, SOURCE_ROW, REASON, MESSAGE)
          .build();

  /** {@code corpus/}: one row per group and roll-up, written from the driver. */
  public static final Table CORPUS =
      Table.named("corpus")
          .add(
              RUN_ID,
              MODEL,
              TOKENIZER,
              DOMAIN,
              Columns.SEQUENCES,
              TOKENS,
              BYTES,
              CHARS,
              WORDS,
              NLL_SUM)
          .add(
              MEAN_NLL,
              required("ppl_token", DoubleType),
              required("bits_per_token", DoubleType),
              required("bits_per_byte", DoubleType),
              optional("bits_per_char", DoubleType),
              required("ppl_byte", DoubleType),
              optional("ppl_word", DoubleType))
          .add(
              optional("domains", IntegerType),
              optional("macro_mean_nll", DoubleType),
              optional("macro_bits_per_byte", DoubleType))
          .add(SoftColumn.columns())
          .add(SoftColumn.perSequenceColumns())
          .add(required("flags", createArrayType(StringType, false)))
          .add(
              optional("ppl_token_ci_low", DoubleType),
              optional("ppl_token_ci_high", DoubleType),
              optional("bits_per_byte_ci_low", DoubleType),
              optional("bits_per_byte_ci_high", DoubleType),
              BOOTSTRAP_REPLICATES,
              CI_CONFIDENCE)
          .build();

  /** {@code comparisons/}: one row per pair of (model, tokenizer) and domain. */
  public static final Table COMPARISONS =
      Table.named("comparisons")
          .add(
              RUN_ID,
              required("model_a", StringType),
              required("tokenizer_a", StringType),
              required("model_b", StringType),
              required("tokenizer_b", StringType),
              DOMAIN,
              Columns.SEQUENCES)
          .add(
              required("bits_per_byte_a", DoubleType),
              required("bits_per_byte_b", DoubleType),
              required("bits_per_byte_diff", DoubleType),
              optional("bits_per_byte_diff_ci_low", DoubleType),
              optional("bits_per_byte_diff_ci_high", DoubleType))
          .add(
              required("mean_nll_a", DoubleType),
              required("mean_nll_b", DoubleType),
              optional("mean_nll_diff", DoubleType),
              optional("mean_nll_diff_ci_low", DoubleType),
              optional("mean_nll_diff_ci_high", DoubleType))
          .add(
              optional("better", StringType),
              optional("better_tokenizer", StringType),
              BOOTSTRAP_REPLICATES,
              CI_CONFIDENCE)
          .build();

  /**
   * {@code positions/}: NLL by position in the sequence, one row per group (as {@code corpus/},
   * with the {@code __all__} roll-up) and log2 position bucket, written from the driver.
   */
  public static final Table POSITIONS =
      Table.named("positions")
          .add(RUN_ID, MODEL, TOKENIZER, DOMAIN)
          .add(
              required("position_bucket", IntegerType),
              required("first_position", LongType),
              required("last_position", LongType),
              TOKENS,
              NLL_SUM,
              MEAN_NLL,
              required("ppl_token", DoubleType),
              SoftColumn.MEAN_ENTROPY.column())
          .build();

  /**
   * {@code table} with the extra label columns ({@code labels.extra}) after its tokenizer column
   * ({@code tokenizer_b} in {@code comparisons/}); {@code table} itself when there are none.
   */
  public static Table withExtraLabels(Table table, List<String> extraLabels) {
    String after = table == COMPARISONS ? "tokenizer_b" : TOKENIZER.name();
    return table.withLabelsAfter(after, extraLabels);
  }

  /** An element of {@code runs.input_files}: a file the run scored, with its accounting. */
  private static final StructType INPUT_FILE =
      new StructType()
          .add("path", StringType, false)
          .add("bytes", LongType, false)
          .add("modified_at", TimestampType, true)
          .add("rows_read", LongType, false)
          .add("rows_scored", LongType, false)
          .add("rows_rejected", LongType, false);

  /** An element of {@code runs.skipped_files}: an unreadable file the run skipped. */
  private static final StructType SKIPPED_FILE =
      new StructType()
          .add("path", StringType, false)
          .add("bytes", LongType, false)
          .add("rows", LongType, true)
          .add("reason", StringType, false);

  /** {@code runs/}: one row per run, appended last. */
  public static final Table RUNS =
      Table.named("runs")
          .add(
              RUN_ID,
              required("started_at", TimestampType),
              required("ended_at", TimestampType),
              required("status", StringType),
              required("format", StringType),
              required("inputs", createArrayType(StringType, false)),
              required("input_files", createArrayType(INPUT_FILE, false)),
              required("configuration", StringType))
          .add(
              required("softmetrics_version", StringType),
              required("spark_version", StringType),
              required("java_version", StringType),
              required("master", StringType))
          .add(
              required("rows_read", LongType),
              required("rows_scored", LongType),
              required("sequences_scored", LongType),
              required("rows_rejected", LongType),
              required("accounting_ok", BooleanType),
              required("schema_version", IntegerType),
              optional("git_commit", StringType),
              required("incremental", BooleanType),
              required("unchanged_files", createArrayType(StringType, false)),
              required("stage_seconds", createMapType(StringType, DoubleType, false)),
              required("skipped_files", createArrayType(SKIPPED_FILE, false)))
          .build();

  /** The folders of the tables a run writes (and replaces). */
  public static final List<String> FOLDERS =
      List.of(
          SEQUENCES.folder(),
          REJECTED.folder(),
          CORPUS.folder(),
          RUNS.folder(),
          POSITIONS.folder());
}
