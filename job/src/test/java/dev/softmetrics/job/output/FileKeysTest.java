package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileKeysTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "file:///tmp/x/part-0.parquet | file:/tmp/x/part-0.parquet",
        "file:///tmp/a%20b/é.parquet | file:/tmp/a%20b/é.parquet",
        "file:///tmp/100%25/x.parquet | file:/tmp/100%25/x.parquet",
        "hdfs://nn:8020/evals/x.parquet | hdfs://nn:8020/evals/x.parquet",
        "s3a://bucket/a%20b/x.parquet | s3a://bucket/a%20b/x.parquet"
      })
  void aFileHasOneKeyHoweverSparkSpellsIt(String listed, String metadataFilePath) {
    assertThat(FileKeys.ofListed(listed)).isEqualTo(FileKeys.ofFilePath(metadataFilePath));
    assertThat(FileKeys.asFilePath(listed)).isEqualTo(metadataFilePath);
  }

  @Test
  void keysAreShortHexWithALetterInFrontAndDifferPerFile() {
    String a = FileKeys.ofListed("file:///tmp/a.parquet");
    assertThat(a).matches("f[0-9a-f]{16}");
    assertThat(FileKeys.ofListed("file:///tmp/b.parquet")).isNotEqualTo(a);
    // The SHA-256 of "file:/tmp/a.parquet", computed independently (sha256sum).
    assertThat(a).isEqualTo("f" + SHA256_OF_FILE_TMP_A.substring(0, 16));
  }

  private static final String SHA256_OF_FILE_TMP_A =
      "658d3ba663cafc5fe1471cbed7b2a81e5a9b103d3bfeb21838ac563ab8d3b03f";
}
