package dev.softmetrics.job.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.softmetrics.job.config.Versions;
import dev.softmetrics.udfs.units.LossFigures;
import dev.softmetrics.udfs.units.LossFigures.Per;
import dev.softmetrics.udfs.units.LossFigures.Scale;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code softmetrics convert}: one loss figure (token perplexity, bits per byte, word perplexity,
 * ...) in every other unit, given the text's bytes per token and bytes per word where the units
 * need them. No Spark: the METRICS.md conversions ({@link LossFigures}).
 */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description =
        "Convert a loss between nats, bits and perplexity, per token, byte and word; e.g."
            + " convert --ppl-token 8.79 --bytes-per-token 4.2.")
public final class ConvertCommand implements Callable<Integer> {

  @ArgGroup(exclusive = true, multiplicity = "1")
  Figure figure;

  /** Exactly one figure to convert: each option records its scale and unit. */
  static final class Figure {
    Scale scale;
    Per per;
    double value;

    private void set(Scale s, Per p, double v) {
      scale = s;
      per = p;
      value = v;
    }

    @Option(
        names = {"--nll", "--nats-per-token"},
        paramLabel = "X",
        description = "Mean NLL per token, nats.")
    void natsPerToken(double v) {
      set(Scale.NATS, Per.TOKEN, v);
    }

    @Option(names = "--bits-per-token", paramLabel = "X", description = "Bits per token.")
    void bitsPerToken(double v) {
      set(Scale.BITS, Per.TOKEN, v);
    }

    @Option(names = "--ppl-token", paramLabel = "X", description = "Token perplexity.")
    void pplToken(double v) {
      set(Scale.PERPLEXITY, Per.TOKEN, v);
    }

    @Option(names = "--nats-per-byte", paramLabel = "X", description = "NLL per byte, nats.")
    void natsPerByte(double v) {
      set(Scale.NATS, Per.BYTE, v);
    }

    @Option(
        names = {"--bpb", "--bits-per-byte"},
        paramLabel = "X",
        description = "Bits per byte.")
    void bitsPerByte(double v) {
      set(Scale.BITS, Per.BYTE, v);
    }

    @Option(names = "--ppl-byte", paramLabel = "X", description = "Byte perplexity.")
    void pplByte(double v) {
      set(Scale.PERPLEXITY, Per.BYTE, v);
    }

    @Option(names = "--nats-per-word", paramLabel = "X", description = "NLL per word, nats.")
    void natsPerWord(double v) {
      set(Scale.NATS, Per.WORD, v);
    }

    @Option(names = "--bits-per-word", paramLabel = "X", description = "Bits per word.")
    void bitsPerWord(double v) {
      set(Scale.BITS, Per.WORD, v);
    }

    @Option(names = "--ppl-word", paramLabel = "X", description = "Word perplexity.")
    void pplWord(double v) {
      set(Scale.PERPLEXITY, Per.WORD, v);
    }
  }

  @Option(
      names = "--bytes-per-token",
      paramLabel = "R",
      description = "UTF-8 bytes per token of the text (corpus bytes / tokens).")
  Double bytesPerToken;

  @Option(
      names = "--bytes-per-word",
      paramLabel = "R",
      description = "UTF-8 bytes per word of the text (corpus bytes / words).")
  Double bytesPerWord;

  @Option(names = "--json", description = "One JSON object, unrounded.")
  boolean json;

  @Override
  public Integer call() {
    LossFigures f =
        LossFigures.from(
            figure.scale,
            figure.per,
            figure.value,
            bytesPerToken == null ? Double.NaN : bytesPerToken,
            bytesPerWord == null ? Double.NaN : bytesPerWord);
    print(f, System.out);
    return 0;
  }

  private void print(LossFigures f, PrintStream out) {
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("nats_per_token", f.natsPerToken());
    figures.put("bits_per_token", f.bitsPerToken());
    figures.put("ppl_token", f.pplToken());
    figures.put("nats_per_byte", f.natsPerByte());
    figures.put("bits_per_byte", f.bitsPerByte());
    figures.put("ppl_byte", f.pplByte());
    figures.put("nats_per_word", f.natsPerWord());
    figures.put("bits_per_word", f.bitsPerWord());
    figures.put("ppl_word", f.pplWord());
    if (json) {
      Map<String, Object> line = new LinkedHashMap<>();
      figures.forEach((name, v) -> line.put(name, Double.isNaN(v) ? null : v));
      try {
        out.println(new ObjectMapper().writeValueAsString(line));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("Cannot render the figures as JSON", e);
      }
      return;
    }
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("nats_per_token", "nats per token (mean NLL)");
    labels.put("bits_per_token", "bits per token");
    labels.put("ppl_token", "token perplexity");
    labels.put("nats_per_byte", "nats per byte");
    labels.put("bits_per_byte", "bits per byte (BPB)");
    labels.put("ppl_byte", "byte perplexity");
    labels.put("nats_per_word", "nats per word");
    labels.put("bits_per_word", "bits per word");
    labels.put("ppl_word", "word perplexity");
    figures.forEach(
        (name, v) ->
            out.printf(
                "%-27s %-15s %s%n",
                labels.get(name),
                name,
                Double.isNaN(v) ? "-  (" + missing(perOf(name)) + ")" : rounded(v)));
  }

  private static Per perOf(String name) {
    return name.endsWith("_token") ? Per.TOKEN : name.endsWith("_byte") ? Per.BYTE : Per.WORD;
  }

  /**
   * The ratios that were not given among those the way from the given figure's unit to {@code
   * target} passes through: every conversion goes by bytes, so token needs bytes per token and word
   * needs bytes per word, at either end.
   */
  private String missing(Per target) {
    List<String> needed = new ArrayList<>();
    if ((figure.per == Per.TOKEN || target == Per.TOKEN) && bytesPerToken == null) {
      needed.add("--bytes-per-token");
    }
    if ((figure.per == Per.WORD || target == Per.WORD) && bytesPerWord == null) {
      needed.add("--bytes-per-word");
    }
    return "needs " + String.join(" and ", needed);
  }

  /** Ten significant digits, without trailing zeros: enough to compare with any paper. */
  private static String rounded(double v) {
    return new BigDecimal(v).round(new MathContext(10)).stripTrailingZeros().toPlainString();
  }
}
