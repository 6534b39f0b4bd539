package dev.softmetrics.job.output;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One row of the {@code runs/} table: what ran, on what, with which code, and the accounting {@code
 * rows_read = rows_scored + rows_rejected}, overall and per input file. A row is scored when it
 * went into a scored sequence: in the logprobs layout a row is a sequence ({@code rows_scored =
 * sequences_scored}); in the logits layout a sequence may span several chunk rows.
 *
 * @param incremental whether the run left out files an earlier run had scored as they are
 * @param unchangedFiles those files (incremental mode), which the accounting does not cover
 * @param stageSeconds wall time of the run's stages, in order Files skipped as unreadable ({@code
 *     read.skip-corrupt-files}) are listed apart, in {@code skippedFiles}, and are not part of the
 *     accounting.
 */
public record RunRecord(
    String runId,
    Instant startedAt,
    Instant endedAt,
    String status,
    String format,
    List<String> inputs,
    List<InputFile> inputFiles,
    String configuration,
    String softmetricsVersion,
    String sparkVersion,
    String javaVersion,
    String master,
    long rowsRead,
    long rowsScored,
    long sequencesScored,
    long rowsRejected,
    boolean accountingOk,
    boolean incremental,
    List<String> unchangedFiles,
    Map<String, Double> stageSeconds,
    List<SkippedFile> skippedFiles) {

  /**
   * The version of the output tables' schema: 2 partitions {@code sequences/} and {@code rejected/}
   * by input file, adds {@code vocab_size} to {@code sequences/}, and provenance and skipped files
   * to {@code runs/}; 3 adds {@code positions/}, the position buckets of {@code sequences/} and the
   * per-sequence KL columns of {@code corpus/}.
   */
  public static final int SCHEMA_VERSION = 3;

  /** The status of a run that completed. */
  public static final String SUCCEEDED = "succeeded";

  /**
   * Added to the status of a run that stopped after its commit began, which a later run completed
   * (appending the row the run had left).
   */
  public static final String COMMITTED_LATER = " (committed by a later run)";

  public RunRecord {
    unchangedFiles = List.copyOf(unchangedFiles);
    skippedFiles = List.copyOf(skippedFiles);
  }

  /** An input file with its size, modification time and row accounting ({@code scored}: rows). */
  public record InputFile(
      String path, long bytes, Instant modifiedAt, long rowsRead, long scored, long rejected) {

    /** True when every row of the file was either scored or rejected. */
    public boolean balanced() {
      return rowsRead == scored + rejected;
    }
  }

  /**
   * An input file the run skipped because it could not be read.
   *
   * @param rows the rows its footer holds, or null when the footer itself is unreadable
   * @param reason what is wrong with it
   */
  public record SkippedFile(String path, long bytes, Long rows, String reason) {}
}
