package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.job.LocalSparkTest;
import java.io.File;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** Tables written from the driver read back as the same table written by a Spark job. */
class SmallTablesTest extends LocalSparkTest {

  private static final StructType NESTED =
      new StructType()
          .add("path", DataTypes.StringType, false)
          .add("rows", DataTypes.LongType, false);

  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("at", DataTypes.TimestampType, false)
          .add("value", DataTypes.DoubleType, true)
          .add("ok", DataTypes.BooleanType, false)
          .add("names", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("files", DataTypes.createArrayType(NESTED, false), false);

  @TempDir Path tmp;

  private static Row row(String id, double value) {
    return RowFactory.create(
        id,
        Timestamp.valueOf("2026-11-25 12:34:56.789"),
        Double.isNaN(value) ? null : value,
        value > 0,
        CollectionConverters.asScala(List.of("a", "日本")).toSeq(),
        CollectionConverters.asScala(List.of(RowFactory.create("file:/x y", 7L))).toSeq());
  }

  @Test
  void replaceWritesWhatASparkJobWouldAndReplacesThePreviousTable() {
    List<Row> rows = List.of(row("r1", 1.5), row("r2", Double.NaN), row("r3", -2));
    String bySpark = tmp.resolve("by-spark").toString();
    spark
        .createDataFrame(rows, SCHEMA)
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(bySpark);
    String byDriver = tmp.resolve("by-driver").toString();

    SmallTables.replace(spark, List.of(row("old", 9)), SCHEMA, byDriver);
    SmallTables.replace(spark, rows, SCHEMA, byDriver);

    Dataset<Row> expected = spark.read().parquet(bySpark);
    Dataset<Row> actual = spark.read().parquet(byDriver);
    assertThat(actual.schema()).isEqualTo(expected.schema());
    assertThat(actual.sort("id").collectAsList()).isEqualTo(expected.sort("id").collectAsList());
    assertThat(new File(byDriver, "_SUCCESS")).isFile();
    assertThat(visibleParquetFiles(byDriver)).hasSize(1);
    assertThat(tmp.toFile().list()).containsExactlyInAnyOrder("by-spark", "by-driver");
  }

  @Test
  void anEmptyTableKeepsItsSchema() {
    String dir = tmp.resolve("empty").toString();
    SmallTables.replace(spark, List.of(), SCHEMA, dir);
    Dataset<Row> table = spark.read().parquet(dir);
    assertThat(table.schema()).isEqualTo(SCHEMA.asNullable());
    assertThat(table.count()).isZero();
  }

  @Test
  void appendAddsAFilePerCallAndLeavesNoTemporaryFile() {
    String dir = tmp.resolve("runs").toString();
    SmallTables.append(spark, List.of(row("first", 1)), SCHEMA, dir);
    SmallTables.append(spark, List.of(row("second", 2)), SCHEMA, dir);
    List<Row> ids = spark.read().parquet(dir).select("id").sort("id").collectAsList();
    assertThat(ids).extracting(r -> r.getString(0)).containsExactly("first", "second");
    assertThat(visibleParquetFiles(dir)).hasSize(2);
    assertThat(new File(dir).list()).noneMatch(name -> name.endsWith(".tmp"));
  }

  @Test
  void filesAreNamedAndCompressedWithTheSessionsCodec() {
    String dir = tmp.resolve("zstd").toString();
    spark.conf().set("spark.sql.parquet.compression.codec", "zstd");
    try {
      SmallTables.replace(spark, List.of(row("z", 1)), SCHEMA, dir);
    } finally {
      spark.conf().unset("spark.sql.parquet.compression.codec");
    }
    assertThat(visibleParquetFiles(dir)).singleElement().asString().endsWith(".zstd.parquet");
    assertThat(spark.read().parquet(dir).count()).isEqualTo(1);
  }

  private static List<String> visibleParquetFiles(String dir) {
    return Arrays.stream(new File(dir).list())
        .filter(name -> name.endsWith(".parquet") && !name.startsWith("."))
        .toList();
  }
}
