package dev.softmetrics.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the tests check in a notebook file: its kernel, its code cells' outputs. */
record Notebook(
    String kernel, int codeCells, int unexecutedCodeCells, int images, List<String> errors) {

  static Notebook read(Path path) throws IOException {
    JsonNode root = new ObjectMapper().readTree(path.toFile());
    int code = 0;
    int unexecuted = 0;
    int images = 0;
    List<String> errors = new ArrayList<>();
    for (JsonNode cell : root.path("cells")) {
      if (!"code".equals(cell.path("cell_type").asText())) {
        continue;
      }
      code++;
      if (cell.path("execution_count").isNull() || cell.path("execution_count").isMissingNode()) {
        unexecuted++;
      }
      for (JsonNode output : cell.path("outputs")) {
        if ("error".equals(output.path("output_type").asText())) {
          errors.add(output.path("ename").asText() + ": " + output.path("evalue").asText());
        }
        if (output.path("data").has("image/png")) {
          images++;
        }
      }
    }
    return new Notebook(
        root.path("metadata").path("kernelspec").path("name").asText(),
        code,
        unexecuted,
        images,
        errors);
  }
}
