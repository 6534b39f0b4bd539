package dev.softmetrics.job.aggregate;

import dev.softmetrics.job.tables.SoftColumn;
import dev.softmetrics.udfs.sequence.PositionBuckets;
import dev.softmetrics.udfs.sequence.RepeatedKeys;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * What one scoring pass saw: per-group sums of the scored sequences, and per input file how many
 * rows were scored and rejected (by reason), with the hashes of the scored sequences' keys (to find
 * duplicates). A task fills its own instance; the driver merges them (see {@link PassAccumulator}).
 * Merging is exact and order-independent.
 */
public final class PassTotals implements Serializable {
  private static final long serialVersionUID = 1L;

  /** By (model, tokenizer, domain, extra labels...). */
  private final Map<List<String>, RunningGroupTotals> groups = new HashMap<>();

  private final Map<String, FileCounts> files = new HashMap<>();

  /** Set when the pass also gathers each group's {@link GroupSample}; else null. */
  private final BootstrapDraw draw;

  private transient UTF8String lastModel;
  private transient UTF8String lastTokenizer;
  private transient UTF8String lastDomain;
  private transient UTF8String[] lastExtras;
  private transient RunningGroupTotals lastGroup;

  /**
   * This instance's groups by their labels' bytes (the same objects as in {@link #groups}, which
   * only ever gains groups); null until the first sequence.
   */
  private transient Map<GroupLabels, RunningGroupTotals> byLabels;

  private transient String lastFile;
  private transient FileCounts lastCounts;

  /** Sequences gathered by this instance's {@link #addScored} since the last check of the limit. */
  private transient long gathered;

  /**
   * Scored and rejected rows of one input file, with the rejections by reason code. A row is scored
   * when it went into a scored sequence (one row per sequence in the logprobs layout; one per chunk
   * in the logits layout).
   */
  public static final class FileCounts implements Serializable {
    private static final long serialVersionUID = 1L;

    long scored;
    long rejected;
    final Map<String, Long> reasons = new TreeMap<>();
    final KeyHashes keys = new KeyHashes();

    public long scored() {
      return scored;
    }

    public long rejected() {
      return rejected;
    }

    /** Rejected rows by reason code. */
    public Map<String, Long> reasons() {
      return reasons;
    }

    void merge(FileCounts other) {
      scored += other.scored;
      rejected += other.rejected;
      other.reasons.forEach((reason, count) -> reasons.merge(reason, count, Long::sum));
      keys.addAll(other.keys);
    }
  }

  /** Totals without {@link GroupSample}s. */
  public PassTotals() {
    this(null);
  }

  /** Totals that also gather each group's {@link GroupSample} with {@code draw}, when not null. */
  public PassTotals(BootstrapDraw draw) {
    this.draw = draw;
  }

  /**
   * Counts a scored sequence. Consecutive rows usually share their group, so the labels are
   * compared as bytes with the previous row's and turned into strings only when the group changes.
   * {@code chars} and {@code words} are -1 when unknown; {@code soft} holds the sums per {@link
   * SoftColumn} (NaN where absent) or is null; {@code vocab} is 0 when unknown; {@code extras}
   * holds the values of the extra labels (empty for none). The row counts as scored in {@code
   * file}.
   */
  public void addScored(
      UTF8String sequenceId,
      UTF8String model,
      UTF8String tokenizer,
      UTF8String domain,
      UTF8String[] extras,
      String file,
      long tokens,
      double nllSum,
      long bytes,
      long chars,
      long words,
      double[] soft,
      long vocab) {
    addSequence(
        sequenceId,
        model,
        tokenizer,
        domain,
        extras,
        tokens,
        nllSum,
        bytes,
        chars,
        words,
        soft,
        vocab);
    counts(file).scored++;
  }

  /**
   * Counts a scored sequence made of several input rows (chunks of the logits layout), without
   * counting rows; count each row with {@link #addScoredRow}.
   */
  public void addSequence(
      UTF8String sequenceId,
      UTF8String model,
      UTF8String tokenizer,
      UTF8String domain,
      UTF8String[] extras,
      long tokens,
      double nllSum,
      long bytes,
      long chars,
      long words,
      double[] soft,
      long vocab) {
    if (lastGroup == null
        || !lastModel.equals(model)
        || !lastTokenizer.equals(tokenizer)
        || !lastDomain.equals(domain)
        || !java.util.Arrays.equals(lastExtras, extras)) {
      lastModel = model;
      lastTokenizer = tokenizer;
      lastDomain = domain;
      lastExtras = extras;
      lastGroup = recentGroup(model, tokenizer, domain, extras);
    }
    lastGroup.add(tokens, nllSum, bytes, chars, words, soft, vocab);
    if (draw != null) {
      long key = draw.key(domain, sequenceId);
      lastGroup.sample(draw.replicates()).add(key, nllSum, tokens, bytes);
      if (++gathered > draw.maxSequences()) {
        limitSamples();
      }
    }
  }

  /** Groups remembered by the identity of their label values ({@link #recentGroup}). */
  private static final int RECENT = 8;

  private transient UTF8String[][] recentLabels;
  private transient RunningGroupTotals[] recentGroups;
  private transient int recentNext;

  /**
   * The group of these labels, first among the last {@link #RECENT} groups found, by the identity
   * of the label values: the scorer hands on one copy per distinct value of a batch (labels from
   * Parquet dictionary pages), so rows that alternate between a few groups find theirs without a
   * hash of their bytes. Same values in other objects go to {@link #group}.
   */
  private RunningGroupTotals recentGroup(
      UTF8String model, UTF8String tokenizer, UTF8String domain, UTF8String[] extras) {
    if (recentGroups == null) {
      recentLabels = new UTF8String[RECENT][];
      recentGroups = new RunningGroupTotals[RECENT];
    }
    for (int i = 0; i < RECENT; i++) {
      UTF8String[] labels = recentLabels[i];
      if (labels != null
          && labels[0] == model
          && labels[1] == tokenizer
          && labels[2] == domain
          && sameExtras(labels, extras)) {
        return recentGroups[i];
      }
    }
    RunningGroupTotals group = group(model, tokenizer, domain, extras);
    UTF8String[] labels = new UTF8String[3 + extras.length];
    labels[0] = model;
    labels[1] = tokenizer;
    labels[2] = domain;
    System.arraycopy(extras, 0, labels, 3, extras.length);
    recentLabels[recentNext] = labels;
    recentGroups[recentNext] = group;
    recentNext = (recentNext + 1) % RECENT;
    return group;
  }

  /** Whether {@code labels} after the first three are the very objects of {@code extras}. */
  private static boolean sameExtras(UTF8String[] labels, UTF8String[] extras) {
    if (labels.length != 3 + extras.length) {
      return false;
    }
    for (int i = 0; i < extras.length; i++) {
      if (labels[3 + i] != extras[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The group of these labels: found by their bytes when this instance has seen them (rows of
   * several groups interleave, so the previous row's group often differs), else by their strings.
   */
  private RunningGroupTotals group(
      UTF8String model, UTF8String tokenizer, UTF8String domain, UTF8String[] extras) {
    if (byLabels == null) {
      byLabels = new HashMap<>();
    }
    GroupLabels labels =
        new GroupLabels(
            model,
            tokenizer,
            domain,
            extras.length == 0 ? List.of() : java.util.Arrays.asList(extras.clone()));
    RunningGroupTotals group = byLabels.get(labels);
    if (group == null) {
      List<String> key = new ArrayList<>(3 + extras.length);
      key.add(model.toString());
      key.add(tokenizer.toString());
      key.add(domain.toString());
      for (UTF8String extra : extras) {
        key.add(extra.toString());
      }
      group = groups.computeIfAbsent(List.copyOf(key), k -> new RunningGroupTotals());
      byLabels.put(labels, group);
    }
    return group;
  }

  /** A group's labels as bytes: the key of {@link #byLabels}. */
  private record GroupLabels(
      UTF8String model, UTF8String tokenizer, UTF8String domain, List<UTF8String> extras) {}

  /**
   * Adds the position buckets of the sequence just added with {@link #addScored} or {@link
   * #addSequence}, to its group.
   */
  public void addPositions(PositionBuckets.Sums positions) {
    lastGroup.positions.add(positions);
  }

  /**
   * Adds a sequence as {@code sequences/} stores it (soft columns as means per token, NaN where
   * absent), to recompute corpus totals from the stored rows; counts no input row. {@code
   * positions} is its stored position buckets, or null for a row stored without them.
   */
  public void addStoredSequence(
      String model,
      String tokenizer,
      String domain,
      List<String> extras,
      long tokens,
      double nllSum,
      long bytes,
      long chars,
      long words,
      double[] means,
      long vocab,
      PositionBuckets.Sums positions) {
    lastGroup = null;
    List<String> key = new ArrayList<>(List.of(model, tokenizer, domain));
    key.addAll(extras);
    RunningGroupTotals group =
        groups.computeIfAbsent(List.copyOf(key), k -> new RunningGroupTotals());
    group.addMeans(tokens, nllSum, bytes, chars, words, means, vocab);
    if (positions != null) {
      group.positions.add(positions);
    }
  }

  /** Counts an input row of {@code file} that went into a scored sequence. */
  public void addScoredRow(String file) {
    counts(file).scored++;
  }

  /**
   * Notes the key hash of a sequence scored from {@code file} (see {@link
   * dev.softmetrics.job.score.batch.SequenceKeyHash}).
   */
  public void addSequenceKey(String file, long hash) {
    counts(file).keys.add(hash);
  }

  /** Counts a rejected row. */
  public void addRejected(String file, String reason) {
    FileCounts counts = counts(file);
    counts.rejected++;
    counts.reasons.merge(reason, 1L, Long::sum);
  }

  private FileCounts counts(String file) {
    if (!file.equals(lastFile)) {
      lastFile = file;
      lastCounts = files.computeIfAbsent(file, f -> new FileCounts());
    }
    return lastCounts;
  }

  /** Adds another pass's totals into this one. */
  public void merge(PassTotals other) {
    other.groups.forEach(
        (key, sums) -> groups.computeIfAbsent(key, k -> new RunningGroupTotals()).merge(sums));
    other.files.forEach(
        (file, counts) -> files.computeIfAbsent(file, f -> new FileCounts()).merge(counts));
    lastGroup = null;
    lastFile = null;
    if (draw != null) {
      limitSamples();
    }
  }

  /**
   * Drops the groups' gathered sequences (keeping their replicate sums) when together they are more
   * than the draw allows: the driver then reads {@code sequences/} back for the comparisons instead
   * of holding them ({@code bootstrap.in-memory-sequences}).
   */
  private void limitSamples() {
    long held = 0;
    for (RunningGroupTotals group : groups.values()) {
      if (group.sample != null) {
        held += group.sample.size();
      }
    }
    gathered = 0;
    if (held > draw.maxSequences()) {
      for (RunningGroupTotals group : groups.values()) {
        if (group.sample != null) {
          group.sample.dropSequences();
        }
      }
    }
  }

  /** True when nothing was counted. */
  public boolean isEmpty() {
    return groups.isEmpty() && files.isEmpty();
  }

  /** A deep copy. */
  public PassTotals copy() {
    PassTotals copy = new PassTotals(draw);
    copy.merge(this);
    return copy;
  }

  /** The groups' totals, sorted by model, tokenizer, extra labels, domain. */
  public List<GroupTotals> groups() {
    List<GroupTotals> out = new ArrayList<>();
    for (List<String> key : sortedKeys()) {
      out.add(groups.get(key).totals(key.get(0), key.get(1), key.get(2), extraLabels(key)));
    }
    return out;
  }

  /** The groups' keys, sorted by model, tokenizer, extra labels, domain. */
  private List<List<String>> sortedKeys() {
    List<List<String>> keys = new ArrayList<>(groups.keySet());
    keys.sort(
        Comparator.<List<String>, String>comparing(k -> k.get(0))
            .thenComparing(k -> k.get(1))
            .thenComparing(PassTotals::extraLabels, ExtraLabelOrder.INSTANCE)
            .thenComparing(k -> k.get(2)));
    return keys;
  }

  /** One group's {@link GroupSample}. */
  public record SampledGroup(
      String model,
      String tokenizer,
      String domain,
      List<String> extraLabels,
      GroupSample sample) {}

  /**
   * Each group's {@link GroupSample}, sorted by model, tokenizer, extra labels, domain; empty when
   * the pass gathered none (then the analysis reads {@code sequences/}).
   */
  public List<SampledGroup> samples() {
    List<SampledGroup> out = new ArrayList<>();
    for (List<String> key : sortedKeys()) {
      GroupSample sample = groups.get(key).sample;
      if (sample != null) {
        out.add(new SampledGroup(key.get(0), key.get(1), key.get(2), extraLabels(key), sample));
      }
    }
    return out;
  }

  private static List<String> extraLabels(List<String> key) {
    return List.copyOf(key.subList(3, key.size()));
  }

  /**
   * True when the pass gathered the groups' {@link GroupSample}s whole: every sequence, within the
   * draw's limit. False when it gathered none, or dropped them past the limit (then the analysis
   * reads {@code sequences/}).
   */
  public boolean sampled() {
    if (draw == null) {
      return false;
    }
    for (RunningGroupTotals group : groups.values()) {
      if (group.sample != null && !group.sample.complete()) {
        return false;
      }
    }
    return true;
  }

  /** Per input file, its counts, sorted by path. */
  public Map<String, FileCounts> files() {
    return new TreeMap<>(files);
  }

  /**
   * The key hashes that more than one scored sequence has, ascending: the candidates for duplicate
   * sequences. Empty when every scored sequence has a key of its own.
   */
  public long[] repeatedKeys() {
    long[] all = keyHashes();
    return RepeatedKeys.repeated(all, all.length);
  }

  /** The key hashes of every scored sequence, ascending, each once. */
  public long[] allKeys() {
    return java.util.Arrays.stream(keyHashes()).sorted().distinct().toArray();
  }

  /** The key hash of every scored sequence, file by file. */
  private long[] keyHashes() {
    long[] all = new long[files.values().stream().mapToInt(f -> f.keys.count()).sum()];
    int at = 0;
    for (FileCounts counts : files.values()) {
      at = counts.keys.copyTo(all, at);
    }
    return all;
  }

  /** The files that scored a sequence whose key hash is among {@code sortedCandidates}. */
  public List<String> filesWithKeys(long[] sortedCandidates) {
    List<String> out = new ArrayList<>();
    new TreeMap<>(files)
        .forEach(
            (file, counts) -> {
              if (counts.keys.containsAny(sortedCandidates)) {
                out.add(file);
              }
            });
    return out;
  }

  /** Sequences scored in all groups. */
  public long sequences() {
    return groups.values().stream().mapToLong(g -> g.sequences).sum();
  }

  /** Rows rejected in all files. */
  public long rejected() {
    return files.values().stream().mapToLong(FileCounts::rejected).sum();
  }
}
