package dev.softmetrics.job.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys the job knows, which are those of the {@code softmetrics} block of {@code
 * reference.conf}: one source of truth, so that a key added there is known here. A key of {@code
 * --set} or {@code --conf} that is not one of them is refused with the nearest known key, instead
 * of being ignored while its default applies. The {@code spark} block stays open: its keys are
 * Spark's settings.
 */
final class SettingKeys {
  /** The block of Spark settings, whose keys are not the job's. */
  static final String SPARK_BLOCK = "spark";

  private final ConfigObject reference;
  private final List<String> leaves = new ArrayList<>();

  /** The known keys of the {@code softmetrics} block of {@code reference.conf}. */
  SettingKeys(ConfigObject reference) {
    this.reference = reference;
    collectLeaves(reference, List.of());
  }

  /**
   * Checks one layer of settings, relative to {@code softmetrics}.
   *
   * @throws IllegalArgumentException naming the first unknown key, or a block set to a value
   */
  void check(ConfigObject layer) {
    check(layer, reference, List.of());
  }

  private void check(ConfigObject layer, ConfigObject known, List<String> prefix) {
    for (Map.Entry<String, ConfigValue> entry : layer.entrySet()) {
      List<String> path = append(prefix, entry.getKey());
      ConfigValue value = entry.getValue();
      ConfigValue expected = known.get(entry.getKey());
      if (expected == null) {
        throw unknown(firstLeaf(value, path));
      }
      boolean block = expected.valueType() == ConfigValueType.OBJECT;
      if (block && value.valueType() != ConfigValueType.OBJECT) {
        throw new IllegalArgumentException(
            String.format(
                "Invalid setting %s (from %s): %s (must be a block; set its keys, e.g. %s)",
                ConfigUtil.joinPath(path),
                value.origin().description(),
                SettingValues.shown(value),
                exampleKey(path, (ConfigObject) expected)));
      }
      if (!block && value.valueType() == ConfigValueType.OBJECT) {
        throw unknown(firstLeaf(value, path));
      }
      if (block && !(prefix.isEmpty() && SPARK_BLOCK.equals(entry.getKey()))) {
        check((ConfigObject) value, (ConfigObject) expected, path);
      }
    }
  }

  private IllegalArgumentException unknown(Leaf leaf) {
    String key = ConfigUtil.joinPath(leaf.path());
    return new IllegalArgumentException(
        String.format(
            "Invalid setting %s (from %s): unknown key (%s)",
            key, leaf.value().origin().description(), hint(key, leaf.path().get(0))));
  }

  /** "Did you mean" when a known key is close, else the keys of the block, else the prefixes. */
  private String hint(String key, String top) {
    Optional<String> near = NearestName.of(key, leaves);
    if (near.isEmpty()) {
      List<String> bySuffix = leaves.stream().filter(k -> k.endsWith("." + key)).toList();
      near = bySuffix.size() == 1 ? Optional.of(bySuffix.get(0)) : Optional.empty();
    }
    if (near.isEmpty()) {
      near = leaves.stream().filter(k -> key.startsWith(k + ".")).findFirst();
    }
    if (near.isPresent()) {
      return "did you mean " + near.get() + "?";
    }
    ConfigValue block = reference.get(top);
    if (block != null && block.valueType() == ConfigValueType.OBJECT && !SPARK_BLOCK.equals(top)) {
      return top + " has " + String.join(", ", inFileOrder((ConfigObject) block, false));
    }
    List<String> prefixes = inFileOrder(reference, true);
    return "must start with "
        + String.join(", ", prefixes.subList(0, prefixes.size() - 1))
        + " or "
        + prefixes.get(prefixes.size() - 1);
  }

  /** The keys of a block in the order reference.conf lists them; blocks end with a dot. */
  private static List<String> inFileOrder(ConfigObject block, boolean markBlocks) {
    return block.entrySet().stream()
        .sorted(Comparator.comparingInt(e -> e.getValue().origin().lineNumber()))
        .map(
            e ->
                markBlocks && e.getValue().valueType() == ConfigValueType.OBJECT
                    ? e.getKey() + "."
                    : e.getKey())
        .toList();
  }

  private static String exampleKey(List<String> path, ConfigObject block) {
    if (path.size() == 1 && SPARK_BLOCK.equals(path.get(0))) {
      return "spark.sql.shuffle.partitions";
    }
    return ConfigUtil.joinPath(append(path, inFileOrder(block, false).get(0)));
  }

  /** A value that is not a block, and its path. */
  private record Leaf(List<String> path, ConfigValue value) {}

  /**
   * The first value inside {@code value} that is not a block ({@code value} itself if it is not).
   */
  private static Leaf firstLeaf(ConfigValue value, List<String> path) {
    List<String> leafPath = path;
    ConfigValue current = value;
    while (current.valueType() == ConfigValueType.OBJECT && !((ConfigObject) current).isEmpty()) {
      Map.Entry<String, ConfigValue> first = ((ConfigObject) current).entrySet().iterator().next();
      leafPath = append(leafPath, first.getKey());
      current = first.getValue();
    }
    return new Leaf(leafPath, current);
  }

  private void collectLeaves(ConfigObject block, List<String> prefix) {
    for (Map.Entry<String, ConfigValue> entry : block.entrySet()) {
      List<String> path = append(prefix, entry.getKey());
      if (entry.getValue().valueType() != ConfigValueType.OBJECT) {
        leaves.add(ConfigUtil.joinPath(path));
      } else if (!(prefix.isEmpty() && SPARK_BLOCK.equals(entry.getKey()))) {
        collectLeaves((ConfigObject) entry.getValue(), path);
      }
    }
  }

  private static List<String> append(List<String> path, String key) {
    List<String> longer = new ArrayList<>(path);
    longer.add(key);
    return longer;
  }
}
