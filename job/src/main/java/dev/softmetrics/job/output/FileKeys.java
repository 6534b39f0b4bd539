package dev.softmetrics.job.output;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * The partition of {@code sequences/} and {@code rejected/} that holds an input file's rows: {@code
 * file_key=f<16 hex digits>}, the start of the SHA-256 of the file's path. A run replaces the
 * partitions of the files it read and leaves the others, so rows of other files and earlier runs
 * stay. The leading {@code f} keeps readers that infer partition types (Spark, DuckDB) from reading
 * the key as a number.
 *
 * <p>A path reaches the job spelled two ways: as {@code _metadata.file_path} in the rows ({@code
 * file:/x/a%20b.parquet}: a URI string) and as Spark lists it on the driver ({@code file:///x/a
 * b.parquet}). Both are taken to one form before hashing ({@link #canonical}), so a file has one
 * key.
 */
public final class FileKeys {
  private FileKeys() {}

  /** The partition column. */
  public static final String COLUMN = "file_key";

  /** The partition that holds only an empty file, so that a table always has its schema. */
  public static final String EMPTY = "empty";

  private static final ConcurrentHashMap<String, String> CACHE = new ConcurrentHashMap<>();

  /** The key of a file spelled as {@code _metadata.file_path} spells it. */
  public static String ofFilePath(String metadataFilePath) {
    return CACHE.computeIfAbsent(metadataFilePath, p -> hash(canonical(fromUri(p))));
  }

  /** The key of a file spelled as Spark lists it ({@code Dataset.inputFiles()}). */
  public static String ofListed(String listedPath) {
    return hash(canonical(fromUri(listedPath)));
  }

  /** The key of a file spelled qualified and decoded, as the footers' descriptions spell it. */
  public static String ofQualified(String qualifiedPath) {
    return hash(canonical(new Path(qualifiedPath)));
  }

  /**
   * A listed path as {@code _metadata.file_path} spells it, e.g. to filter a scan by file: {@code
   * file:///x/a%20b.parquet} becomes {@code file:/x/a%20b.parquet}.
   */
  public static String asFilePath(String listedPath) {
    return withoutEmptyAuthority(fromUri(listedPath)).toUri().toString();
  }

  /** Scheme, authority (none when empty) and decoded path: {@code file:/x/a b.parquet}. */
  static String canonical(Path path) {
    return withoutEmptyAuthority(path).toString();
  }

  private static Path withoutEmptyAuthority(Path path) {
    URI uri = path.toUri();
    String authority = uri.getAuthority();
    return new Path(
        uri.getScheme(),
        authority == null || authority.isEmpty() ? null : authority,
        uri.getPath());
  }

  /** {@code file_key} computed from a {@code source_file} column, for a DataFrame. */
  public static UserDefinedFunction udf() {
    return functions.udf((UDF1<String, String>) FileKeys::ofFilePath, DataTypes.StringType);
  }

  private static Path fromUri(String uri) {
    try {
      return new Path(new URI(uri));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Invalid file path: " + uri + " (must be a URI)", e);
    }
  }

  private static String hash(String path) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
      return "f" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
