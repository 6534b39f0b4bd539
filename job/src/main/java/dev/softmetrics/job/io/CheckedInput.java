package dev.softmetrics.job.io;

import dev.softmetrics.job.config.InputFileFormat;
import dev.softmetrics.job.config.InputFormat;
import dev.softmetrics.job.output.RunRecord.SkippedFile;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * The input of a run after {@link InputCheck}: the files listed, their footers, the layout, and the
 * schema the scan reads, all known before any Spark job runs.
 *
 * @param inputs the paths as given
 * @param listed every file listed under them ({@link InputListing}), qualified, sorted
 * @param labels the files' folder labels
 * @param fileFormat Parquet or JSON Lines (never auto)
 * @param layout logprobs or logits
 * @param readSchema the merged schema of the data columns the scan reads (partition columns from
 *     folder names not included)
 * @param columns the columns the scan selects, partition columns included
 * @param files the files to score, with their footers
 * @param skipped the files left out because they cannot be read, with the reason
 * @param unchanged the files left out in incremental mode because an earlier run scored them as
 *     they are, qualified
 */
public record CheckedInput(
    List<String> inputs,
    List<String> listed,
    FolderLabels labels,
    InputFileFormat fileFormat,
    InputFormat layout,
    StructType readSchema,
    List<String> columns,
    List<InputFiles.InputFile> files,
    List<SkippedFile> skipped,
    List<String> unchanged) {

  public CheckedInput {
    inputs = List.copyOf(inputs);
    listed = List.copyOf(listed);
    columns = List.copyOf(columns);
    files = List.copyOf(files);
    skipped = List.copyOf(skipped);
    unchanged = List.copyOf(unchanged);
  }

  /** The same input scoring only {@code kept}; the others are left out as unchanged. */
  public CheckedInput keepingOnly(List<InputFiles.InputFile> kept) {
    List<String> left = new ArrayList<>(unchanged);
    for (InputFiles.InputFile f : files) {
      if (!kept.contains(f)) {
        left.add(f.path());
      }
    }
    return new CheckedInput(
        inputs, listed, labels, fileFormat, layout, readSchema, columns, kept, skipped, left);
  }

  /**
   * The same input without {@code file} (qualified as {@link InputFiles#qualified} spells it),
   * which turned out unreadable while scoring.
   *
   * @throws IllegalStateException when {@code file} is not one of the files to score
   * @throws IllegalArgumentException when it was the last one
   */
  public CheckedInput skipping(String file, String reason) {
    List<InputFiles.InputFile> kept = new ArrayList<>();
    List<SkippedFile> skippedNow = new ArrayList<>(skipped);
    for (InputFiles.InputFile f : files) {
      if (f.path().equals(file)) {
        skippedNow.add(new SkippedFile(f.path(), f.bytes(), f.rows(), reason));
      } else {
        kept.add(f);
      }
    }
    if (kept.size() == files.size()) {
      throw new IllegalStateException(
          "Cannot skip " + file + ": it is not among the files to score " + paths(files));
    }
    if (kept.isEmpty() && unchanged.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot score %s: none of its files is readable (the last one, %s: %s)",
              String.join(",", inputs), file, reason));
    }
    return new CheckedInput(
        inputs,
        listed,
        labels,
        fileFormat,
        layout,
        readSchema,
        columns,
        kept,
        skippedNow,
        unchanged);
  }

  private static List<String> paths(List<InputFiles.InputFile> files) {
    return files.stream().map(InputFiles.InputFile::path).toList();
  }
}
