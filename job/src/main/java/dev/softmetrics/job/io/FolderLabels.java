package dev.softmetrics.job.io;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The labels that {@code key=value} folder names give the rows of the files below them: every such
 * folder between an input's root and the file, at any depth and among plain folders ({@code
 * evals/2026-12-01/model=x/} and {@code model=x/2026-12-01/} both label {@code model}). Values are
 * strings, unescaped as Spark escapes them when it writes partitions; an empty value or Spark's
 * {@code __HIVE_DEFAULT_PARTITION__} is a missing label (null). A file without a key that other
 * files have reads it as null.
 *
 * <p>Refused, naming the files: the same key twice on one path; a key spelled in two ways (Spark
 * resolves names without regard to case); a key that is also a column of the same file, or a column
 * of another file (the folder's value would silently replace the column's); two inputs giving the
 * files of one folder different labels.
 *
 * @param keys the label keys, in the order first met over the files sorted by path
 * @param byFile each listed file's labels, key to value (null for a missing value), by path
 */
public record FolderLabels(List<String> keys, Map<String, Map<String, String>> byFile) {

  private static final String NULL_VALUE = ExternalCatalogUtils.DEFAULT_PARTITION_NAME();

  /** One {@code key=value} folder. */
  record Label(String folder, String key, String value) {}

  public FolderLabels {
    keys = List.copyOf(keys);
    byFile = Map.copyOf(byFile);
  }

  /**
   * The labels of {@code files}, checked against each other and against the readable files'
   * columns.
   *
   * @param schemas the columns of each readable file, by path
   * @param where the inputs, for messages
   * @throws IllegalArgumentException for a layout that the rules above refuse
   */
  static FolderLabels of(
      List<InputListing.ListedFile> files, Map<String, StructType> schemas, String where) {
    Map<String, List<Label>> labels = new LinkedHashMap<>();
    for (InputListing.ListedFile f : files) {
      labels.put(f.path(), parse(f));
    }
    List<String> keys = keys(labels);
    requireOneLabellingPerFolder(files, labels, where);
    for (Map.Entry<String, StructType> e : schemas.entrySet()) {
      requireNotAColumn(e.getKey(), labels.get(e.getKey()), e.getValue());
    }
    for (String key : keys) {
      requireNoColumnElsewhere(key, labels, schemas, where);
    }
    Map<String, Map<String, String>> byFile = new HashMap<>();
    labels.forEach(
        (path, ls) -> {
          Map<String, String> values = new HashMap<>();
          ls.forEach(l -> values.put(l.key(), l.value()));
          byFile.put(path, values);
        });
    return new FolderLabels(keys, byFile);
  }

  /** The label keys as string columns, the partition columns of the scan. */
  public StructType schema() {
    StructType out = new StructType();
    for (String key : keys) {
      out = out.add(key, DataTypes.StringType, true);
    }
    return out;
  }

  /** {@code schema} with the file's own label keys added as string columns. */
  StructType withLabelsOf(String path, StructType schema) {
    StructType out = schema;
    for (String key : keys) {
      if (byFile.get(path).containsKey(key)) {
        out = out.add(key, DataTypes.StringType, true);
      }
    }
    return out;
  }

  /** The file's label values in the order of {@link #keys}, as the scan's partition values. */
  public InternalRow values(String path) {
    Map<String, String> labels = byFile.get(path);
    Object[] values = new Object[keys.size()];
    for (int i = 0; i < values.length; i++) {
      String value = labels.get(keys.get(i));
      values[i] = value == null ? null : UTF8String.fromString(value);
    }
    return new GenericInternalRow(values);
  }

  /** The {@code key=value} folders on the file's path, each key once. */
  private static List<Label> parse(InputListing.ListedFile file) {
    Map<String, Label> byKey = new LinkedHashMap<>();
    for (String folder : file.folders()) {
      int eq = folder.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = ExternalCatalogUtils.unescapePathName(folder.substring(0, eq));
      String value = ExternalCatalogUtils.unescapePathName(folder.substring(eq + 1));
      Label label =
          new Label(folder, key, value.isEmpty() || value.equals(NULL_VALUE) ? null : value);
      Label before = byKey.put(key.toLowerCase(Locale.ROOT), label);
      if (before != null) {
        throw new IllegalArgumentException(
            String.format(
                "Invalid input folders: %s has the label %s twice, %s and %s (must give each"
                    + " label once on a path)",
                file.path(), before.key(), before.folder(), folder));
      }
    }
    return List.copyOf(byKey.values());
  }

  /** Every key once, as first spelled; a key spelled in two ways fails. */
  private static List<String> keys(Map<String, List<Label>> labels) {
    Map<String, String> spelling = new LinkedHashMap<>();
    Map<String, String> firstFile = new HashMap<>();
    labels.forEach(
        (path, ls) -> {
          for (Label l : ls) {
            String lower = l.key().toLowerCase(Locale.ROOT);
            String seen = spelling.putIfAbsent(lower, l.key());
            firstFile.putIfAbsent(lower, path);
            if (seen != null && !seen.equals(l.key())) {
              throw new IllegalArgumentException(
                  String.format(
                      "Invalid input folders: the label %s of %s is spelled %s in %s (must be"
                          + " spelled one way)",
                      seen, firstFile.get(lower), l.key(), path));
            }
          }
        });
    return new ArrayList<>(spelling.values());
  }

  /** The scan labels files by folder: two inputs must not label one folder's files differently. */
  private static void requireOneLabellingPerFolder(
      List<InputListing.ListedFile> files, Map<String, List<Label>> labels, String where) {
    Map<String, String> fileOfFolder = new HashMap<>();
    for (InputListing.ListedFile f : files) {
      String folder = f.status().getPath().getParent().toString();
      String other = fileOfFolder.putIfAbsent(folder, f.path());
      if (other != null && !labels.get(other).equals(labels.get(f.path()))) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot score %s: %s and %s, in one folder, get different folder labels from"
                    + " different inputs (name the folder by one input)",
                where, other, f.path()));
      }
    }
  }

  private static void requireNotAColumn(String path, List<Label> labels, StructType schema) {
    for (Label l : labels) {
      StructField column = column(schema, l.key());
      if (column != null) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot score %s: its folder label %s is also its column %s (rename the folder, or"
                    + " drop the column from the file)",
                path, l.folder(), column.name()));
      }
    }
  }

  private static void requireNoColumnElsewhere(
      String key, Map<String, List<Label>> labels, Map<String, StructType> schemas, String where) {
    String labelled = null;
    String withColumn = null;
    for (Map.Entry<String, StructType> e : schemas.entrySet()) {
      boolean isLabel = labels.get(e.getKey()).stream().anyMatch(l -> l.key().equals(key));
      if (isLabel && labelled == null) {
        labelled = e.getKey();
      } else if (!isLabel && withColumn == null && column(e.getValue(), key) != null) {
        withColumn = e.getKey();
      }
    }
    if (labelled != null && withColumn != null) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot score %s: %s is a folder label of %s but a column of %s (give it one way"
                  + " for all files)",
              where, key, labelled, withColumn));
    }
  }

  /** The column named {@code key} regardless of case, as Spark resolves names; or null. */
  private static StructField column(StructType schema, String key) {
    for (StructField field : schema.fields()) {
      if (field.name().equalsIgnoreCase(key)) {
        return field;
      }
    }
    return null;
  }
}
