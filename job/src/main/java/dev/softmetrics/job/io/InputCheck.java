package dev.softmetrics.job.io;

import dev.softmetrics.job.config.ColumnNames;
import dev.softmetrics.job.config.InputFileFormat;
import dev.softmetrics.job.config.InputFormat;
import dev.softmetrics.job.output.RunRecord.SkippedFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Checks the input of a run before any Spark job: lists the files ({@link InputListing}) and their
 * folder labels ({@link FolderLabels}), reads every footer once (row count and schema, for this
 * check and for the accounting at the end), and fails, naming the file and the column, on a file
 * that is not readable Parquet, a required column missing from a file, a column of the wrong type,
 * or files that disagree on a column's type. JSON Lines files (by name or {@code
 * read.input-format}) are read whole instead, for their row counts and keys ({@link
 * JsonLinesFiles}); a run of both formats is refused. With {@code read.skip-corrupt-files} the
 * unreadable files are skipped and listed instead.
 */
public final class InputCheck {
  private InputCheck() {}

  /**
   * Checks the input.
   *
   * @param skipUnreadable skip files that are not readable Parquet instead of failing
   * @throws IllegalArgumentException for any problem with the input as a whole or with a file
   */
  public static CheckedInput run(
      SparkSession spark,
      List<String> inputs,
      ColumnNames names,
      InputFormat format,
      InputFileFormat fileFormat,
      boolean skipUnreadable) {
    String where = String.join(",", inputs);
    var hadoop = spark.sparkContext().hadoopConfiguration();
    List<InputListing.ListedFile> listed = InputListing.list(inputs, hadoop);
    if (listed.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot score " + where + ": it holds no input files (check --input)");
    }
    for (int i = 1; i < listed.size(); i++) {
      if (listed.get(i).path().equals(listed.get(i - 1).path())) {
        throw new IllegalArgumentException(
            String.format(
                "Invalid --input: %s names the file %s more than once (give each file once)",
                where, listed.get(i).path()));
      }
    }
    InputFileFormat encoding = encoding(listed, fileFormat, where);
    List<InputFiles.InputFile> readable = new ArrayList<>();
    List<SkippedFile> skipped = new ArrayList<>();
    for (InputFiles.InputFile f : describe(spark, listed, encoding, names)) {
      if (f.readable()) {
        readable.add(f);
      } else if (skipUnreadable) {
        skipped.add(new SkippedFile(f.path(), f.bytes(), null, f.problem()));
      } else {
        throw new IllegalArgumentException(
            String.format(
                "Cannot read input file %s: %s (rewrite or remove the file, or set"
                    + " read.skip-corrupt-files = true to skip unreadable files and list them in"
                    + " runs/)",
                f.path(), f.problem()));
      }
    }
    if (readable.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot score %s: none of its %d files is readable %s (%s)",
              where,
              listed.size(),
              encoding == InputFileFormat.JSONL ? "JSON Lines" : "Parquet",
              skipped.get(0).reason()));
    }
    Map<String, StructType> schemas = new LinkedHashMap<>();
    for (InputFiles.InputFile f : readable) {
      schemas.put(f.path(), f.schema());
    }
    FolderLabels labels = FolderLabels.of(listed, schemas, where);
    // The layout follows from the column names alone; each file is checked against it before
    // the files are compared with each other, so that a file of the wrong type is named as such.
    InputFormat layout =
        InputSchema.detect(with(allColumns(readable), labels.schema()), names, format, where);
    for (InputFiles.InputFile f : readable) {
      InputSchema.columns(labels.withLabelsOf(f.path(), f.schema()), names, layout, f.path());
    }
    StructType merged = SchemaMerge.merge(schemas, names.all());
    List<String> columns = InputSchema.columns(with(merged, labels.schema()), names, layout, where);
    StructType readSchema = new StructType();
    for (StructField field : merged.fields()) {
      if (columns.contains(field.name())) {
        readSchema = readSchema.add(field);
      }
    }
    return new CheckedInput(
        inputs,
        paths(listed),
        labels,
        encoding,
        layout,
        readSchema,
        columns,
        readable,
        skipped,
        List.of());
  }

  /** Each file's row count and columns: from its Parquet footer, or from its lines. */
  private static List<InputFiles.InputFile> describe(
      SparkSession spark,
      List<InputListing.ListedFile> listed,
      InputFileFormat encoding,
      ColumnNames names) {
    var hadoop = spark.sparkContext().hadoopConfiguration();
    if (encoding == InputFileFormat.JSONL) {
      return JsonLinesFiles.describe(statuses(listed), hadoop, names);
    }
    var converter =
        new ParquetToSparkSchemaConverter(
            ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().conf());
    return InputFiles.describe(statuses(listed), hadoop, converter);
  }

  /**
   * The one format of the listed files: the given one, or under auto the one their names say.
   *
   * @throws IllegalArgumentException when the names say both
   */
  private static InputFileFormat encoding(
      List<InputListing.ListedFile> listed, InputFileFormat given, String where) {
    String parquet = null;
    String jsonLines = null;
    for (InputListing.ListedFile f : listed) {
      if (given.of(f.path()) == InputFileFormat.JSONL) {
        jsonLines = jsonLines == null ? f.path() : jsonLines;
      } else {
        parquet = parquet == null ? f.path() : parquet;
      }
    }
    if (parquet != null && jsonLines != null) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot score %s: it holds both JSON Lines files (%s) and Parquet files (%s); a run"
                  + " reads one format, so score them in separate runs (or name the format with"
                  + " --input-format if the file names mislead)",
              where, jsonLines, parquet));
    }
    return jsonLines != null ? InputFileFormat.JSONL : InputFileFormat.PARQUET;
  }

  /** The qualified paths of the listed files, in their order. */
  static List<String> paths(List<InputListing.ListedFile> listed) {
    return listed.stream().map(InputListing.ListedFile::path).toList();
  }

  private static List<FileStatus> statuses(List<InputListing.ListedFile> listed) {
    return listed.stream().map(InputListing.ListedFile::status).toList();
  }

  /** Every column of any file, with the type it has in the first file that has it. */
  private static StructType allColumns(List<InputFiles.InputFile> files) {
    StructType out = new StructType();
    for (InputFiles.InputFile f : files) {
      for (StructField field : f.schema().fields()) {
        if (!InputSchema.has(out, field.name())) {
          out = out.add(field);
        }
      }
    }
    return out;
  }

  /** The file's (or merged) columns with the label columns from folder names. */
  private static StructType with(StructType schema, StructType partitions) {
    StructType out = schema;
    for (StructField p : partitions.fields()) {
      if (!InputSchema.has(out, p.name())) {
        out = out.add(p);
      }
    }
    return out;
  }
}
