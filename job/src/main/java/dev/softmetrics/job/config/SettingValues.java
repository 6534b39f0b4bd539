package dev.softmetrics.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Typed reads of the effective {@code softmetrics} block, strict where Typesafe Config is lenient:
 * {@code 1.5} is not a whole number (Typesafe Config truncates it to 1), a boolean is {@code true}
 * or {@code false} only (not {@code yes}, {@code on}), {@code NaN} is not a number. A value of the
 * wrong type is one line naming the key, where the value came from ({@code --set}, or the file and
 * line) and the rule.
 */
final class SettingValues {
  private final Config block;

  /** Reads {@code block}, the {@code softmetrics} block of the merged layers. */
  SettingValues(Config block) {
    this.block = block;
  }

  /** A whole number within Java's {@code int}. */
  int wholeInt(String key) {
    return (int) whole(key, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  /** A whole number within Java's {@code long}. */
  long wholeLong(String key) {
    return whole(key, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  private long whole(String key, long min, long max) {
    ConfigValue value = value(key, "a whole number");
    BigDecimal number = decimal(value);
    if (number == null || number.stripTrailingZeros().scale() > 0) {
      throw invalid(key, value, "a whole number");
    }
    if (number.compareTo(BigDecimal.valueOf(min)) < 0
        || number.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw invalid(key, value, String.format("a whole number from %d to %d", min, max));
    }
    return number.longValueExact();
  }

  private static BigDecimal decimal(ConfigValue value) {
    try {
      return switch (value.valueType()) {
        case NUMBER -> new BigDecimal(value.unwrapped().toString());
        case STRING -> new BigDecimal(((String) value.unwrapped()).trim());
        default -> null;
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A number (not NaN); infinities pass, for the rules of each key to judge. */
  double number(String key) {
    ConfigValue value = value(key, "a number");
    double number = Double.NaN;
    if (value.valueType() == ConfigValueType.NUMBER) {
      number = ((Number) value.unwrapped()).doubleValue();
    } else if (value.valueType() == ConfigValueType.STRING) {
      try {
        number = Double.parseDouble(((String) value.unwrapped()).trim());
      } catch (NumberFormatException e) {
        number = Double.NaN;
      }
    }
    if (Double.isNaN(number)) {
      throw invalid(key, value, "a number");
    }
    return number;
  }

  /** {@code true} or {@code false}. */
  boolean bool(String key) {
    ConfigValue value = value(key, "true or false");
    Object raw = value.unwrapped();
    if (raw instanceof Boolean b) {
      return b;
    }
    if (raw instanceof String s && (s.trim().equals("true") || s.trim().equals("false"))) {
      return Boolean.parseBoolean(s.trim());
    }
    throw invalid(key, value, "true or false");
  }

  /** A duration as Typesafe Config reads it ({@code 500ms}, {@code 3s}, {@code 2m}). */
  Duration duration(String key) {
    String rule = "a duration such as 500ms, 3s or 2m";
    ConfigValue value = value(key, rule);
    try {
      return block.getDuration(key);
    } catch (ConfigException e) {
      throw invalid(key, value, rule);
    }
  }

  /** Text: a string, or a number or boolean read as text. */
  String text(String key) {
    ConfigValue value = value(key, "a text value");
    return switch (value.valueType()) {
      case STRING, NUMBER, BOOLEAN -> block.getString(key);
      default -> throw invalid(key, value, "a text value");
    };
  }

  /**
   * A list of text values. Text (what {@code --set key=value} gives) is read as its comma-separated
   * items, in brackets or not: {@code step,split} and {@code [step, split]} are both two names.
   */
  List<String> textList(String key) {
    ConfigValue value = value(key, "a list of names");
    if (value.valueType() == ConfigValueType.STRING) {
      String text = block.getString(key).strip();
      if (text.startsWith("[") && text.endsWith("]")) {
        text = text.substring(1, text.length() - 1);
      }
      List<String> out = new ArrayList<>();
      for (String item : text.split(",", -1)) {
        out.add(item.strip());
      }
      return out.size() == 1 && out.get(0).isEmpty() ? List.of() : out;
    }
    if (value.valueType() != ConfigValueType.LIST) {
      throw invalid(key, value, "a list of names, e.g. [step, split]");
    }
    List<String> out = new ArrayList<>();
    for (ConfigValue element : (ConfigList) value) {
      if (element.valueType() != ConfigValueType.STRING) {
        throw invalid(key, value, "a list of names, e.g. [step, split]");
      }
      out.add((String) element.unwrapped());
    }
    return out;
  }

  /** The value of {@code key}, which reference.conf defines; a null breaks {@code rule}. */
  /** The {@code spark} block: each Spark setting under its full name, as text. */
  Map<String, String> sparkSettings() {
    Map<String, String> spark = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : block.getObject(SettingKeys.SPARK_BLOCK).entrySet()) {
      spark.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
    }
    return spark;
  }

  /** The whole block as one line of JSON, for logs and {@code runs/}. */
  String rendered() {
    return block.root().render(ConfigRenderOptions.concise());
  }

  private ConfigValue value(String key, String rule) {
    try {
      return block.getValue(key);
    } catch (ConfigException.Null e) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid setting %s (from %s): null (must be %s)",
              key, e.origin() == null ? "?" : e.origin().description(), rule),
          e);
    } catch (ConfigException.Missing e) {
      throw new IllegalStateException("reference.conf has no " + key, e);
    }
  }

  private static IllegalArgumentException invalid(String key, ConfigValue value, String rule) {
    return new IllegalArgumentException(
        String.format(
            "Invalid setting %s (from %s): %s (must be %s)",
            key, value.origin().description(), shown(value), rule));
  }

  /**
   * A value as the user wrote it: a string without quotes (unless blank), anything else as HOCON.
   */
  static String shown(ConfigValue value) {
    boolean text = value.valueType() == ConfigValueType.STRING;
    return text && !((String) value.unwrapped()).isBlank()
        ? (String) value.unwrapped()
        : value.render(ConfigRenderOptions.concise());
  }
}
