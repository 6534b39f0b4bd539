package dev.softmetrics.job.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.FileStatusCache;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.InMemoryFileIndex;
import org.apache.spark.sql.execution.datasources.PartitionPath;
import org.apache.spark.sql.execution.datasources.PartitionSpec;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A Parquet relation over exactly the files {@link InputListing} found, with their {@link
 * FolderLabels} as partition columns: the same scan {@code spark.read().parquet(...)} plans
 * (columnar batches, {@code _metadata}), without Spark listing the inputs again. Spark's own
 * listing reads only the files directly inside a folder when it finds no partition folders, and its
 * partition discovery stops at the first plain folder above a file; handing it the files, each
 * folder's labels given, avoids both.
 */
final class ListedRelation {
  private ListedRelation() {}

  /**
   * The files read with {@code dataSchema}, labelled.
   *
   * @param files the files to read, as listed (their status is not fetched again)
   */
  static Dataset<Row> read(
      SparkSession spark, List<FileStatus> files, FolderLabels labels, StructType dataSchema) {
    Map<Path, FileStatus[]> byPath = new LinkedHashMap<>();
    Map<Path, String> fileOfFolder = new LinkedHashMap<>();
    for (FileStatus f : files) {
      byPath.put(f.getPath(), new FileStatus[] {f});
      fileOfFolder.putIfAbsent(f.getPath().getParent(), f.getPath().toString());
    }
    List<PartitionPath> partitions = new ArrayList<>();
    if (!labels.keys().isEmpty()) {
      fileOfFolder.forEach(
          (folder, file) -> partitions.add(PartitionPath.apply(labels.values(file), folder)));
    }
    PartitionSpec spec =
        PartitionSpec.apply(labels.schema(), CollectionConverters.asScala(partitions).toList());
    var index =
        new InMemoryFileIndex(
            spark,
            CollectionConverters.asScala(new ArrayList<>(byPath.keySet())).toList(),
            scala.collection.immutable.Map$.MODULE$.empty(),
            Option.empty(),
            new Listed(byPath),
            Option.apply(spec),
            Option.empty());
    var relation =
        new HadoopFsRelation(
            index,
            labels.schema(),
            dataSchema,
            Option.empty(),
            new ParquetFileFormat(),
            scala.collection.immutable.Map$.MODULE$.empty(),
            spark);
    return spark.baseRelationToDataFrame(relation);
  }

  /** The statuses already listed, so that the index does not list the files again. */
  private static final class Listed extends FileStatusCache {
    private final Map<Path, FileStatus[]> byPath;

    Listed(Map<Path, FileStatus[]> byPath) {
      this.byPath = byPath;
    }

    @Override
    public Option<FileStatus[]> getLeafFiles(Path path) {
      return Option.apply(byPath.get(path));
    }

    @Override
    public void putLeafFiles(Path path, FileStatus[] files) {
      // Nothing to keep: every root path is one of the listed files.
    }

    @Override
    public void invalidateAll() {
      // The listing is the run's; it does not change.
    }
  }
}
