package dev.softmetrics.job.query;

import java.nio.file.Path;
import java.util.List;

/**
 * Statements that must not run in {@code sql}: each writes, reads outside the output folder's
 * tables, or runs code, and {@link #refusal} is what the one error line must name. They only use
 * SQL text and the fixture's paths, so the same list can check another engine behind {@code sql}.
 */
record HostileStatements(String name, String sql, String refusal) {

  /** The fixture: {@code out} holds corpus/ and sequences/, {@code other} is another output. */
  record Fixture(Path root, Path out, Path other, Path secret, String tempPrefix) {}

  @Override
  public String toString() {
    return name;
  }

  static List<HostileStatements> all(Fixture f) {
    String other = f.other().resolve("corpus").toString();
    String secret = f.secret().toString();
    String elsewhere = f.root().resolve("elsewhere").toString();
    String tempFile = "reflect('java.io.File', 'createTempFile', '" + f.tempPrefix() + "', '.tmp')";
    String javaMethod =
        "java_method('java.io.File', 'createTempFile', '" + f.tempPrefix() + "', '.tmp')";
    return List.of(
        of(
            "insert behind WITH",
            "WITH t AS (SELECT * FROM corpus) INSERT INTO corpus SELECT * FROM t",
            "it writes to corpus"),
        of(
            "insert overwrite behind WITH",
            "WITH t AS (SELECT * FROM sequences WHERE false) INSERT OVERWRITE TABLE sequences"
                + " SELECT * FROM t",
            "it writes to sequences"),
        of(
            "lower case",
            "with t as (select * from corpus) insert into corpus select * from t",
            "it writes to corpus"),
        of(
            "comment before INSERT",
            "/* x */ INSERT INTO corpus SELECT * FROM corpus",
            "it writes to corpus"),
        of(
            "insert overwrite directory",
            "FROM corpus INSERT OVERWRITE DIRECTORY '" + elsewhere + "' USING parquet SELECT *",
            "it writes to " + elsewhere),
        of(
            "insert overwrite hive directory",
            "FROM corpus INSERT OVERWRITE DIRECTORY '" + elsewhere + "' SELECT *",
            "it writes to " + elsewhere),
        of("text file", "SELECT * FROM text.`" + secret + "`", "it reads " + secret),
        of("another output", "SELECT * FROM parquet.`" + other + "`", "it reads " + other),
        of(
            "another output in a union",
            "SELECT model FROM corpus UNION ALL SELECT model FROM parquet.`" + other + "`",
            "it reads " + other),
        of(
            "path behind IDENTIFIER",
            "SELECT * FROM IDENTIFIER('parquet.`" + other + "`')",
            "[TABLE_OR_VIEW_NOT_FOUND]"),
        of(
            "catalog table",
            "SELECT * FROM spark_catalog.default.corpus",
            "it reads spark_catalog.default.corpus"),
        of("reflect", "SELECT " + tempFile, "it calls reflect"),
        of(
            "reflect in a subquery",
            "SELECT * FROM corpus WHERE EXISTS (SELECT " + tempFile + ")",
            "it calls reflect"),
        of(
            "reflect in a scalar subquery",
            "SELECT (SELECT " + tempFile + ") AS f FROM corpus",
            "it calls reflect"),
        of(
            "java_method in a CTE",
            "WITH t AS (SELECT " + javaMethod + " AS f) SELECT * FROM t",
            "it calls java_method"),
        of(
            "try_reflect in a lateral join",
            "SELECT * FROM VALUES (1) AS t(x), LATERAL (SELECT try_reflect('java.io.File', 'createTempFile', '"
                + f.tempPrefix()
                + "', '.tmp') AS f)",
            "it calls try_reflect"),
        of(
            "XSD file of from_xml",
            "SELECT from_xml('<a><b>1</b></a>', 'b STRING', map('rowValidationXSDPath', '"
                + secret
                + "'))",
            "it reads " + secret),
        of(
            "second statement",
            "SELECT 1; INSERT INTO corpus SELECT * FROM corpus",
            "Invalid SQL: [PARSE_SYNTAX_ERROR]"),
        of("set", "SET spark.sql.runSQLOnFiles=true", "it is SetCommand, not a query"),
        of(
            "temporary view",
            "CREATE TEMP VIEW corpus2 AS SELECT 1",
            "it is CreateViewCommand, not a query"),
        of("drop view", "  -- tidy up\nDROP VIEW corpus", "it is DropView, not a query"),
        of(
            "create table as select",
            "CREATE TABLE copy USING parquet LOCATION '" + elsewhere + "' AS SELECT * FROM corpus",
            "it is CreateTableAsSelect, not a query"),
        of("delete", "DELETE FROM corpus WHERE true", "it is DeleteFromTable, not a query"),
        of("cache table", "CACHE TABLE corpus", "it is CacheTable, not a query"),
        of(
            "execute immediate",
            "EXECUTE IMMEDIATE 'INSERT INTO corpus SELECT * FROM corpus'",
            "it is UnresolvedExecuteImmediate, not a query"),
        of("add jar", "ADD JAR " + f.root().resolve("x.jar"), "it is AddJarsCommand, not a query"),
        of(
            "script",
            "BEGIN INSERT INTO corpus SELECT * FROM corpus; END",
            "it is CompoundBody, not a query"),
        of(
            "explain of an insert",
            "EXPLAIN INSERT INTO corpus SELECT * FROM corpus",
            "it writes to corpus"),
        of("describe a file", "DESCRIBE parquet.`" + other + "`", "it reads " + other),
        of(
            "read_files",
            "SELECT * FROM read_files('" + f.root() + "')",
            "[UNRESOLVABLE_TABLE_VALUED_FUNCTION]"));
  }

  private static HostileStatements of(String name, String sql, String refusal) {
    return new HostileStatements(name, sql, refusal);
  }
}
