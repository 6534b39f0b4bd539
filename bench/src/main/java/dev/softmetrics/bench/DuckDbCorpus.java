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
 * <p>Run as a program ({@code DuckDbCorpus DIR|FILE,FILE... THREADS [words|basic]}) it prints the
 * groups: the whole-process figure that {@link ScoreVsDuckDb} and {@link ShardsVsDuckDb} set
 * against {@code bin/softmetrics score} ({@code basic}: the speed issue's query, {@link #basic}).
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
        ResultSet rs = st.executeQuery("SELECT sum(len(token_logprobs)) FROM " + source(dir))) {
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
            + " FROM "
            + source(dir)
            + " GROUP BY model, tokenizer, domain ORDER BY model, tokenizer, domain";
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

  /**
   * The source of a query: {@code read_parquet} over a folder's Parquet files, over one {@code
   * .parquet} file, or over a comma-separated list of files (as {@code bin/softmetrics score
   * --input} takes them).
   */
  private static String source(String input) {
    List<String> quoted = new ArrayList<>();
    for (String file : input.split(",")) {
      quoted.add("'" + file.replace("'", "''") + "'");
    }
    if (input.contains(",") || input.endsWith(".parquet")) {
      return "read_parquet([" + String.join(", ", quoted) + "])";
    }
    return "read_parquet('" + (input + "/*.parquet").replace("'", "''") + "')";
  }

  /**
   * The speed issue's baseline: per (model, tokenizer, domain), rows, log-probs, {@code
   * -sum(list_sum(token_logprobs))} and the text's UTF-8 bytes; the number of groups.
   */
  static int basic(Connection duck, String input) throws SQLException {
    String sql =
        "SELECT model, tokenizer, domain, count(*), sum(len(token_logprobs)),"
            + " -sum(list_sum(token_logprobs)::DOUBLE), sum(strlen(text)) FROM "
            + source(input)
            + " GROUP BY model, tokenizer, domain ORDER BY model, tokenizer, domain";
    int groups = 0;
    try (Statement st = duck.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        groups++;
        System.out.printf(
            Locale.ROOT,
            "%s %s %s sequences=%d tokens=%d nll_sum=%.6f bytes=%d%n",
            rs.getString(1),
            rs.getString(2),
            rs.getString(3),
            rs.getLong(4),
            rs.getLong(5),
            rs.getDouble(6),
            rs.getLong(7));
      }
    }
    return groups;
  }

  public static void main(String[] args) throws SQLException {
    if (args.length < 2) {
      throw new IllegalArgumentException(
          "Usage: DuckDbCorpus DIR|FILE,FILE... THREADS [words|basic]");
    }
    try (Connection duck = open(Integer.parseInt(args[1]))) {
      if (args.length > 2 && args[2].equals("basic")) {
        basic(duck, args[0]);
        return;
      }
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
