package dev.softmetrics.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The HOCON file of {@code --conf}, from where the driver runs: a local path, or a Hadoop URI.
 *
 * <p>A local path is absolute or relative to the working directory, which is where YARN and
 * Kubernetes put the files shipped with {@code spark-submit --files} in cluster mode. A URI ({@code
 * hdfs://...}, {@code s3a://...}, {@code file:/...}) is read with Hadoop's file systems, for a
 * driver that runs on a node that has none of the submitter's files (standalone cluster mode);
 * Hadoop's configuration comes from the class path ({@code HADOOP_CONF_DIR}) and the {@code
 * spark.hadoop.*} settings that spark-submit passed.
 */
final class ConfigFile {
  /** A scheme of two letters or more, so that a Windows drive letter stays a local path. */
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

  private ConfigFile() {}

  /**
   * Parses the file.
   *
   * @throws IllegalArgumentException if there is no such file, it cannot be read, or it is not
   *     HOCON
   */
  static Config parse(String location) {
    try {
      return URI_SCHEME.matcher(location).matches() ? parseUri(location) : parseLocal(location);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          String.format("Invalid --conf %s: %s (must be HOCON)", location, e.getMessage()), e);
    }
  }

  private static Config parseLocal(String location) {
    File file = new File(location);
    if (!file.isFile()) {
      throw new IllegalArgumentException(
          String.format("Cannot read --conf %s: no such file", location));
    }
    return ConfigFactory.parseFile(file);
  }

  private static Config parseUri(String location) {
    Path path = new Path(location);
    Configuration hadoop = HadoopConnectors.hadoopConfiguration(Map.of());
    HadoopConnectors.require(location, "read --conf", hadoop);
    try (InputStream in = path.getFileSystem(hadoop).open(path)) {
      return ConfigFactory.parseString(
          new String(in.readAllBytes(), StandardCharsets.UTF_8),
          ConfigParseOptions.defaults().setOriginDescription(location));
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException(
          String.format("Cannot read --conf %s: no such file", location), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          String.format("Cannot read --conf %s: %s", location, e.getMessage()), e);
    }
  }
}
