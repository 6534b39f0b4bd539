package dev.softmetrics.job.query;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code sql} over a local output folder with DuckDB, in the same process and without Spark:
 * the statement must be one query ({@code SELECT}, {@code WITH}, {@code VALUES}, {@code FROM}
 * first, {@code DESCRIBE}, {@code SHOW}, {@code SUMMARIZE}), as DuckDB's own parser says before the
 * statement is handed to anything that runs it, and the database it runs in can read only the
 * output's files ({@link DuckDbViews}). DuckDB runs the earlier statements of a multi-statement
 * text as soon as it prepares the text, so the parser's count is checked first.
 */
public final class DuckDbQuery {
  private DuckDbQuery() {}

  private static final Pattern FILE_REFUSED =
      Pattern.compile("Cannot access (?:file|directory) \"([^\"]*)\"");

  /**
   * DuckDB's parse of the text: whether it failed, how, and how many statements it holds. {@code
   * json_serialize_sql} serializes only {@code SELECT} statements and fails on anything else.
   */
  private static final String PARSE =
      "SELECT coalesce(j->>'error' = 'true', false), j->>'error_type', j->>'error_message',"
          + " coalesce(json_array_length(j->'statements'), 0)"
          + " FROM (SELECT json_serialize_sql(?::VARCHAR) AS j)";

  /** First words of queries: a refused text that starts with one hides another statement. */
  private static final java.util.Set<String> QUERY_KEYWORDS =
      java.util.Set.of(
          "SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SHOW", "SUMMARIZE");

  /** Error classes of DuckDB that are not the query's fault. */
  private static final List<String> ENGINE_FAILURES =
      List.of("Out of Memory Error", "IO Error", "INTERNAL Error", "FATAL Error", "Fatal Error");

  /**
   * Prints the rows of {@code sql} over the tables of the local folder {@code dir}.
   *
   * @throws IllegalArgumentException when the folder holds no tables, the statement is not one
   *     query ("Cannot run the query: it ..."), does not parse or bind ("Invalid SQL: ..."), or
   *     reads outside the tables
   */
  public static void run(
      String dir, String sql, ResultFormat format, int maxRows, PrintStream out) {
    LocalOutput output = LocalOutput.of(dir);
    try (Connection connection = DuckDbViews.open(output)) {
      checkOneQuery(connection, sql, output);
      try (PreparedStatement statement = connection.prepareStatement(sql);
          ResultSet rows = statement.executeQuery()) {
        DuckDbRows.print(rows, format, maxRows, out);
      }
    } catch (SQLException e) {
      throw failure(e, output);
    }
  }

  /** Refuses anything but one query, as DuckDB's parser sees the text. */
  static void checkOneQuery(Connection connection, String sql, LocalOutput output)
      throws SQLException {
    // DuckDB reads its own parse: Jackson's start-up would cost more than the query.
    boolean error;
    String type;
    String message;
    int statements;
    try (PreparedStatement serialize = connection.prepareStatement(PARSE)) {
      serialize.setString(1, sql);
      try (ResultSet result = serialize.executeQuery()) {
        result.next();
        error = result.getBoolean(1);
        type = result.getString(2);
        message = result.getString(3);
        statements = result.getInt(4);
      }
    }
    if (error) {
      if ("parser".equals(type)) {
        throw new IllegalArgumentException("Invalid SQL: Parser Error: " + firstLine(message));
      }
      String keyword = firstKeyword(sql);
      throw refused(
          QUERY_KEYWORDS.contains(keyword)
              ? "holds a statement that is not a query"
              : "is " + keyword + ", not a query",
          output);
    }
    if (statements != 1) {
      throw refused("holds " + statements + " statements (one query at a time)", output);
    }
  }

  /** The statement's first word, upper case, after blanks and comments: what it is, for people. */
  static String firstKeyword(String sql) {
    String rest = sql;
    while (true) {
      rest = rest.stripLeading();
      if (rest.startsWith("--")) {
        int nl = rest.indexOf('\n');
        rest = nl < 0 ? "" : rest.substring(nl + 1);
      } else if (rest.startsWith("/*")) {
        int end = rest.indexOf("*/");
        rest = end < 0 ? "" : rest.substring(end + 2);
      } else {
        break;
      }
    }
    Matcher word = Pattern.compile("^[A-Za-z_]+").matcher(rest);
    return word.find() ? word.group().toUpperCase(java.util.Locale.ROOT) : "not a statement";
  }

  /** A DuckDB error as one line: the user's mistake, or a refused read, or the engine's failure. */
  static RuntimeException failure(SQLException e, LocalOutput output) {
    String message = firstLine(e.getMessage());
    Matcher file = FILE_REFUSED.matcher(message);
    if (message.startsWith("Permission Error") && file.find()) {
      return refused("reads " + file.group(1), output);
    }
    if (message.startsWith("Permission Error")) {
      return refused("needs what sql does not allow (" + message + ")", output);
    }
    for (String engine : ENGINE_FAILURES) {
      if (message.startsWith(engine)) {
        return new IllegalStateException("Cannot run the query: " + message, e);
      }
    }
    return new IllegalArgumentException("Invalid SQL: " + message, e);
  }

  static IllegalArgumentException refused(String what, LocalOutput output) {
    return new IllegalArgumentException(
        String.format(
            "Cannot run the query: it %s (sql runs read-only queries over the tables of %s: %s)",
            what, output.dir(), String.join(", ", output.names())));
  }

  static String firstLine(String message) {
    return message == null
        ? "(no message)"
        : message.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse("");
  }

  /** The column names of {@code rows}, in order. */
  static List<String> names(ResultSet rows) throws SQLException {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
      names.add(rows.getMetaData().getColumnLabel(i));
    }
    return names;
  }
}
