package dev.softmetrics.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The corpus table as a DuckDB user would compute it from log-prob shards: one SQL query over
 * {@code read_parquet}, grouped by (model, tokenizer, domain), with {@code list_sum} for the NLL,
 * {@code strlen} for UTF-8 bytes and {@code length} for code points; optionally the word counts of
 * METRICS.md (Python's {@code len(re.split(r"\s+", text))}, with Python's whitespace set spelled
 * out for RE2).
 *
 * <p>Run as a program ({@code DuckDbCorpus DIR THREADS [words]}) it prints the groups: the
 * whole-process figure that {@link ScoreVsDuckDb} sets against {@code bin/softmetrics score}.
 */
final class DuckDbCorpus {
  private DuckDbCorpus() {}

  /** Python's str.isspace set (what {@code \s} matches in Python 3 on str), as an RE2 class. */
  private static final String PYTHON_WHITESPACE =
      "[\\t\\n\\x{0B}\\f\\r\\x{1C}-\\x{1F}\\x{85}\\p{Z}]+";

  /** One group's sums. */
  record Group(
      String model,
      String tokenizer,
      String domain,
      long sequences,
      long tokens,
      double nllSum,
      long bytes,
      long chars,
      long words) {}

  /** An in-memory DuckDB on {@code threads} threads. */
  static Connection open(int threads) throws SQLException {
    Connection duck = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement st = duck.createStatement()) {
      st.execute("SET threads = " + threads);
    }
    return duck;
  }

  /** Bare read: the number of log-probs. */
  static long bareRead(Connection duck, String dir) throws SQLException {
    try (Statement st = duck.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT sum(len(token_logprobs)) FROM read_parquet('" + glob(dir) + "')")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The groups, sorted by their labels; {@code words} is -1 unless {@code withWords}. */
  static List<Group> corpus(Connection duck, String dir, boolean withWords) throws SQLException {
    String words =
        withWords
            ? "sum(len(regexp_split_to_array(text, '" + PYTHON_WHITESPACE + "')))"
            : "-1::BIGINT";
    String sql =
        "SELECT model, tokenizer, domain, count(*), sum(len(token_logprobs)),"
            + " -sum(list_sum(token_logprobs)::DOUBLE), sum(strlen(text)), sum(length(text)), "
            + words
            + " FROM read_parquet('"
            + glob(dir)
            + "') GROUP BY model, tokenizer, domain ORDER BY model, tokenizer, domain";
    List<Group> groups = new ArrayList<>();
    try (Statement st = duck.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        groups.add(
            new Group(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getDouble(6),
                rs.getLong(7),
                rs.getLong(8),
                rs.getLong(9)));
      }
    }
    return groups;
  }

  private static String glob(String dir) {
    return (dir + "/*.parquet").replace("'", "''");
  }

  public static void main(String[] args) throws SQLException {
    if (args.length < 2) {
      throw new IllegalArgumentException("Usage: DuckDbCorpus DIR THREADS [words]");
    }
    try (Connection duck = open(Integer.parseInt(args[1]))) {
      for (Group g : corpus(duck, args[0], args.length > 2 && args[2].equals("words"))) {
        System.out.printf(
            Locale.ROOT,
            "%s %s %s sequences=%d tokens=%d ppl_token=%.6f bits_per_byte=%.6f%n",
            g.model(),
            g.tokenizer(),
            g.domain(),
            g.sequences(),
            g.tokens(),
            Math.exp(g.nllSum() / g.tokens()),
            g.nllSum() / (Math.log(2) * g.bytes()));
      }
    }
  }
}
