package dev.softmetrics.job.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.softmetrics.job.config.ColumnNames;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * JSON Lines input files as the input check needs them, in place of a Parquet footer: the number of
 * rows (lines that are not blank, {@link JsonLines}) for the accounting, and the columns, the job's
 * columns that are a key of at least one object, typed as {@link JsonLinesSchema} says. Reads each
 * file once on the driver; a line that is not a JSON object counts as a row (the scan rejects it,
 * naming its line) and adds no column.
 */
final class JsonLinesFiles {
  private JsonLinesFiles() {}

  /** The files' descriptions, in the order given. */
  static List<InputFiles.InputFile> describe(
      List<FileStatus> files, Configuration hadoop, ColumnNames names) {
    List<InputFiles.InputFile> out = new ArrayList<>(files.size());
    for (FileStatus file : files) {
      out.add(describe(file, hadoop, names));
    }
    return out;
  }

  private static InputFiles.InputFile describe(
      FileStatus status, Configuration hadoop, ColumnNames names) {
    String path = status.getPath().toString();
    Instant modified = Instant.ofEpochMilli(status.getModificationTime());
    Map<String, DataType> types = JsonLinesSchema.types(names);
    List<String> logits = JsonLinesSchema.logitsColumns(names);
    Set<String> keys = new LinkedHashSet<>();
    long rows = 0;
    try (JsonLines lines = JsonLines.open(path, hadoop)) {
      while (lines.next()) {
        rows++;
        topLevelKeys(lines, keys);
      }
    } catch (IOException | RuntimeException e) {
      return new InputFiles.InputFile(
          path, status.getLen(), modified, -1, null, "not readable as JSON Lines: " + e);
    }
    for (String key : keys) {
      if (logits.contains(key)) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot read %s: its key %s is a column of the logits layout, which JSON Lines"
                    + " input does not take (write full logits as Parquet: docs/INPUTS.md)",
                path, key));
      }
    }
    StructType schema = new StructType();
    for (Map.Entry<String, DataType> column : types.entrySet()) {
      if (keys.contains(column.getKey())) {
        schema = schema.add(column.getKey(), column.getValue(), true);
      }
    }
    return new InputFiles.InputFile(path, status.getLen(), modified, rows, schema, null);
  }

  /** Adds the keys of the line's object, if it is one; a line that is not is left to the scan. */
  private static void topLevelKeys(JsonLines lines, Set<String> keys) {
    try (JsonParser parser = JsonLines.FACTORY.createParser(lines.bytes(), 0, lines.length())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        keys.add(parser.currentName());
        parser.nextToken();
        parser.skipChildren();
      }
    } catch (IOException e) {
      // A malformed line: the scan rejects it with the parser's message.
    }
  }
}
