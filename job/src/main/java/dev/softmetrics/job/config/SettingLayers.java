package dev.softmetrics.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The layers above {@code reference.conf}, each under {@code softmetrics} and with the origin of
 * every value ({@code --set}, or the file and line), so that a refused setting says where it came
 * from.
 */
final class SettingLayers {
  private SettingLayers() {}

  /**
   * The {@code --set} pairs as one layer under {@code softmetrics}, later pairs over earlier ones;
   * {@code spark.*} keys are one quoted key each in its {@code spark} block.
   */
  static Config overrides(List<String> overrides) {
    Config layer = ConfigFactory.empty();
    for (String pair : overrides) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            String.format("Invalid --set: %s (must be key=value)", pair));
      }
      String key = pair.substring(0, eq).trim();
      ConfigValue value = ConfigValueFactory.fromAnyRef(pair.substring(eq + 1).trim(), "--set");
      String path =
          key.startsWith("spark.")
              ? ConfigUtil.joinPath("softmetrics", "spark", key)
              : key.startsWith("softmetrics.") ? key : "softmetrics." + key;
      try {
        layer = layer.withValue(path, value);
      } catch (ConfigException.BadPath e) {
        throw new IllegalArgumentException(
            String.format(
                "Invalid --set: %s (must be key=value, the key a dotted path such as"
                    + " read.batch-rows)",
                pair),
            e);
      }
    }
    return layer;
  }

  /**
   * The {@code --conf} file under {@code softmetrics}: a file without that block is relative to it.
   * A file with it may also hold Spark settings beside it ({@code spark.x = ...}, which its block's
   * own {@code spark} settings override), and nothing else.
   */
  static Config file(String location) {
    Config site = ConfigFile.parse(location);
    ConfigObject root = site.root();
    if (!root.containsKey("softmetrics")) {
      return site.atPath("softmetrics");
    }
    for (Map.Entry<String, ConfigValue> entry : root.entrySet()) {
      String key = entry.getKey();
      if (!key.equals("softmetrics") && !key.equals(SettingKeys.SPARK_BLOCK)) {
        throw outsideTheBlock(entry.getValue(), key);
      }
    }
    if (root.get("softmetrics").valueType() != ConfigValueType.OBJECT) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid setting softmetrics (from %s): %s (must be a block of settings)",
              root.get("softmetrics").origin().description(),
              SettingValues.shown(root.get("softmetrics"))));
    }
    if (!root.containsKey(SettingKeys.SPARK_BLOCK)) {
      return site;
    }
    return site.withoutPath(SettingKeys.SPARK_BLOCK)
        .withFallback(site.withOnlyPath(SettingKeys.SPARK_BLOCK).atPath("softmetrics"));
  }

  private static IllegalArgumentException outsideTheBlock(ConfigValue value, String key) {
    List<String> path = new ArrayList<>(List.of(key));
    ConfigValue leaf = value;
    while (leaf instanceof ConfigObject block && !block.isEmpty()) {
      Map.Entry<String, ConfigValue> first = block.entrySet().iterator().next();
      path.add(first.getKey());
      leaf = first.getValue();
    }
    return new IllegalArgumentException(
        String.format(
            "Invalid setting %s (from %s): outside the softmetrics block (move it inside"
                + " softmetrics { })",
            ConfigUtil.joinPath(path), leaf.origin().description()));
  }
}
