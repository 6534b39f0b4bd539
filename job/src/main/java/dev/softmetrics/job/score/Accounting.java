package dev.softmetrics.job.score;

import dev.softmetrics.job.aggregate.PassTotals;
import dev.softmetrics.job.io.InputFiles;
import dev.softmetrics.job.output.RunRecord.InputFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run's accounting: for every input file, the rows its Parquet footer holds next to the rows
 * the scoring pass scored and rejected from it. A run is balanced when {@code rows read = scored +
 * rejected} holds for every file, including files the pass saw but the footers do not list (read
 * 0), and files it never saw (scored 0).
 *
 * @param files per input file, footer files first in their order, then any file only the pass saw
 */
public record Accounting(List<InputFile> files) {
  public Accounting {
    files = List.copyOf(files);
  }

  /**
   * Reconciles the footers with what the pass counted.
   *
   * @param footers the input files as storage describes them
   * @param outcome the pass's counts per file, keyed by the same qualified paths as {@code footers}
   */
  public static Accounting reconcile(
      List<InputFiles.InputFile> footers, Map<String, PassTotals.FileCounts> outcome) {
    Map<String, PassTotals.FileCounts> unmatched = new TreeMap<>(outcome);
    List<InputFile> files = new ArrayList<>();
    for (InputFiles.InputFile f : footers) {
      PassTotals.FileCounts counts = unmatched.remove(f.path());
      files.add(
          new InputFile(
              f.path(),
              f.bytes(),
              f.modifiedAt(),
              f.rows(),
              counts == null ? 0 : counts.scored(),
              counts == null ? 0 : counts.rejected()));
    }
    unmatched.forEach(
        (file, counts) ->
            files.add(new InputFile(file, 0, null, 0, counts.scored(), counts.rejected())));
    return new Accounting(files);
  }

  /** Rows in the footers of all files. */
  public long rowsRead() {
    return files.stream().mapToLong(InputFile::rowsRead).sum();
  }

  /** Rows scored from all files. */
  public long scored() {
    return files.stream().mapToLong(InputFile::scored).sum();
  }

  /** Rows rejected from all files. */
  public long rejected() {
    return files.stream().mapToLong(InputFile::rejected).sum();
  }

  /** True when every file balances. */
  public boolean balanced() {
    return files.stream().allMatch(InputFile::balanced);
  }

  /** The files that do not balance, with their counts, for the error message. */
  public List<String> unbalanced() {
    return files.stream()
        .filter(f -> !f.balanced())
        .map(
            f ->
                f.path()
                    + " (read "
                    + f.rowsRead()
                    + ", scored "
                    + f.scored()
                    + ", rejected "
                    + f.rejected()
                    + ")")
        .toList();
  }
}
