package dev.softmetrics.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The speed issue's log-prob corpus, written by DuckDB: {@code files} Parquet files of {@code rows}
 * rows each, one row group per file, PLAIN floats, snappy. Row {@code i} of file {@code k}: {@code
 * sequence_id} 'f&lt;k&gt;-&lt;i&gt;', {@code model} m-a or m-b by i % 2, {@code tokenizer} 'tok',
 * {@code domain} news, code, web or chat by (i / 2) % 4, {@code text} 'Sequence text ' || i || '
 * naïve 日本 ' || repeat('x', i % 97), and 512 float log-probs in (-6.01, -0.01).
 *
 * <p>The log-probs come from a hash of (file, row, position), not from a random generator, so the
 * same command writes the same values on every machine and tables can be compared bit for bit
 * across runs. Files already present with the expected row count are kept.
 *
 * <p>{@code DuckDbShards DIR [FILES] [ROWS]}: writes {@code DIR/shard-00.parquet} ... (8 x 120,000
 * by default, 1.9 GB).
 */
final class DuckDbShards {
  private DuckDbShards() {}

  static final int TOKENS = 512;

  /** Writes the missing files of the corpus into {@code dir}; returns {@code dir}. */
  static Path write(Path dir, int files, int rows) throws IOException, SQLException {
    Files.createDirectories(dir);
    try (Connection duck = DuckDbCorpus.open(2);
        Statement st = duck.createStatement()) {
      for (int k = 0; k < files; k++) {
        Path file = dir.resolve(String.format(Locale.ROOT, "shard-%02d.parquet", k));
        if (Files.exists(file) && rowCount(st, file) == rows) {
          continue;
        }
        Path partial = dir.resolve(file.getFileName() + ".partial");
        st.execute(copy(k, rows, partial));
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.err.printf(Locale.ROOT, "wrote %s (%,d bytes)%n", file, Files.size(file));
      }
    }
    return dir;
  }

  /** The COPY statement of file {@code k}. */
  private static String copy(int k, int rows, Path to) {
    // hash() is DuckDB's 64-bit hash: deterministic across runs and machines for the same input.
    String logprob = "(-0.01 - (hash(" + k + ", i, p) % 1000000)::DOUBLE / 1000000.0 * 6.0)::FLOAT";
    return "COPY (SELECT 'f"
        + k
        + "-' || i AS sequence_id,"
        + " CASE WHEN i % 2 = 0 THEN 'm-a' ELSE 'm-b' END AS model,"
        + " 'tok' AS tokenizer,"
        + " ['news', 'code', 'web', 'chat'][((i // 2) % 4) + 1] AS domain,"
        + " 'Sequence text ' || i || ' naïve 日本 ' || repeat('x', (i % 97)::INTEGER) AS text,"
        + " list_transform(range("
        + TOKENS
        + "), p -> "
        + logprob
        + ") AS token_logprobs"
        + " FROM range("
        + rows
        + ") t(i) ORDER BY i) TO '"
        + to.toString().replace("'", "''")
        + "' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE "
        + rows
        + ")";
  }

  private static long rowCount(Statement st, Path file) throws SQLException {
    try (ResultSet rs =
        st.executeQuery(
            "SELECT count(*) FROM read_parquet('" + file.toString().replace("'", "''") + "')")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException unreadable) {
      return -1;
    }
  }

  public static void main(String[] args) throws IOException, SQLException {
    if (args.length < 1) {
      throw new IllegalArgumentException("Usage: DuckDbShards DIR [FILES] [ROWS]");
    }
    int files = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int rows = args.length > 2 ? Integer.parseInt(args[2]) : 120_000;
    write(Path.of(args[0]), files, rows);
  }
}
