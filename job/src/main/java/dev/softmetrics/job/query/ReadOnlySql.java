package dev.softmetrics.job.query;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which statements the {@code sql} command runs: queries and the commands that only describe
 * (DESCRIBE, SHOW, EXPLAIN). Spark runs DDL and DML eagerly, so a statement is checked before Spark
 * sees it; the command reads the output tables and never changes them.
 */
final class ReadOnlySql {
  private ReadOnlySql() {}

  private static final List<String> ALLOWED =
      List.of("SELECT", "WITH", "VALUES", "TABLE", "FROM", "DESCRIBE", "DESC", "SHOW", "EXPLAIN");

  /**
   * Leading white space, {@code -- ...} line comments, {@code /* ... *\/} block comments,
   * parentheses.
   */
  private static final Pattern PREAMBLE =
      Pattern.compile("\\A(?:\\s+|--[^\\n]*(?:\\n|\\z)|/\\*.*?\\*/|\\()*", Pattern.DOTALL);

  private static final Pattern FIRST_WORD = Pattern.compile("\\A([A-Za-z]+)");

  /**
   * Checks that {@code sql} is a query or a describing command.
   *
   * @throws IllegalArgumentException otherwise, naming the statement's first word
   */
  static void check(String sql) {
    Matcher preamble = PREAMBLE.matcher(sql);
    String rest = preamble.lookingAt() ? sql.substring(preamble.end()) : sql;
    Matcher word = FIRST_WORD.matcher(rest);
    String first = word.lookingAt() ? word.group(1).toUpperCase(Locale.ROOT) : "";
    if (!ALLOWED.contains(first)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid SQL: %s (must be a query or a describing statement: %s; the sql command"
                  + " only reads the tables)",
              first.isEmpty() ? "an empty statement" : "a statement starting with " + first,
              String.join(", ", ALLOWED)));
    }
  }
}
