package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.softmetrics.corpora.DemoCorpusWriter;
import dev.softmetrics.job.LocalSparkTest;
import dev.softmetrics.job.config.JobConfig;
import dev.softmetrics.job.score.ScoreJob;
import dev.softmetrics.job.score.ScoreRequest;
import dev.softmetrics.job.tables.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output schema documented in README.md ("Output tables": column names and Spark SQL types, in
 * order) is the schema the job declares and the schema a real run writes, table by table, and the
 * documented schema version is the one {@code runs/} records. Change a table, and this test fails
 * until README changes with it (and, for a change users must know of, the schema version).
 */
class OutputSchemaDocTest extends LocalSparkTest {

  private static final Pattern HEADING = Pattern.compile("^\\*\\*`(\\w+)/`\\*\\*");

  @Test
  void readmeDocumentsTheDeclaredAndTheWrittenSchemas(@TempDir Path tmp) throws IOException {
    Map<String, List<String>> documented = documented();
    Map<String, StructType> declared = new LinkedHashMap<>();
    declared.put("sequences", partitioned(Tables.SEQUENCES.schema()));
    declared.put("corpus", Tables.CORPUS.schema());
    declared.put("rejected", partitioned(Tables.REJECTED.schema()));
    declared.put("runs", Tables.RUNS.schema());
    declared.put("comparisons", Tables.COMPARISONS.schema());
    declared.put("positions", Tables.POSITIONS.schema());
    assertThat(documented).containsOnlyKeys(declared.keySet());

    String input = tmp.resolve("in").toString();
    String output = tmp.resolve("out").toString();
    DemoCorpusWriter.write(spark, new DemoCorpusWriter.Shape(1, 4, 16, 7), 40, 2, input);
    ScoreJob.run(spark, new ScoreRequest(List.of(input), output, "schema", JobConfig.defaults()));

    for (Map.Entry<String, StructType> table : declared.entrySet()) {
      String name = table.getKey();
      assertThat(columns(table.getValue()))
          .as("declared %s/", name)
          .isEqualTo(documented.get(name));
      StructType written = spark.read().parquet(output + "/" + name).schema();
      assertThat(columns(written)).as("written %s/", name).isEqualTo(documented.get(name));
    }
    assertThat(readme().replaceAll("\\s+", " "))
        .contains("Schema version " + RunRecord.SCHEMA_VERSION + " (recorded in `runs/`)");
    assertThat(spark.read().parquet(output + "/runs").first().<Integer>getAs("schema_version"))
        .isEqualTo(RunRecord.SCHEMA_VERSION);
  }

  private static StructType partitioned(StructType schema) {
    return schema.add(FileKeys.COLUMN, DataTypes.StringType, true);
  }

  private static List<String> columns(StructType schema) {
    List<String> out = new ArrayList<>();
    for (StructField f : schema.fields()) {
      out.add(f.name() + " " + f.dataType().simpleString());
    }
    return out;
  }

  /** Per table heading of README's "Output tables", its first table's columns as "name type". */
  private static Map<String, List<String>> documented() throws IOException {
    String text = readme();
    String section =
        text.substring(text.indexOf("## Output tables"), text.indexOf("## Configuration"));
    Map<String, List<String>> tables = new LinkedHashMap<>();
    String table = null;
    boolean inRows = false;
    for (String line : section.split("\n")) {
      Matcher heading = HEADING.matcher(line);
      if (heading.find()) {
        table = heading.group(1);
        tables.put(table, new ArrayList<>());
        inRows = false;
      } else if (table != null && line.startsWith("| `")) {
        inRows = true;
        String[] cells = line.split("\\|");
        String type = cells[2].trim();
        for (String name : cells[1].trim().split(",")) {
          tables.get(table).add(name.trim().replace("`", "") + " " + type);
        }
      } else if (inRows && !line.startsWith("|")) {
        table = null;
        inRows = false;
      }
    }
    return tables;
  }

  private static String readme() throws IOException {
    Path here = Path.of("").toAbsolutePath();
    Path readme = here.resolve("README.md");
    if (!Files.exists(readme)) {
      readme = here.getParent().resolve("README.md");
    }
    return Files.readString(readme);
  }
}
