package dev.softmetrics.job.analysis;

import dev.softmetrics.job.aggregate.CorpusInterval;
import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.aggregate.GroupSample;
import dev.softmetrics.job.aggregate.PassTotals.SampledGroup;
import dev.softmetrics.job.config.BootstrapConfig;
import dev.softmetrics.udfs.bootstrap.ReplicateSums;
import dev.softmetrics.udfs.sequence.RepeatedKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@link SequenceBootstrap}'s result from what the scoring tasks gathered ({@link GroupSample}s),
 * for a run whose sequences are all of {@code sequences/}: no second read, no shuffle.
 *
 * <p>A group's interval comes from its replicate sums, summed where its sequences were scored; an
 * {@code __all__} row's from the sum of its domains'. Only the comparisons need the sequences of
 * different models to meet, and only the sequences that several models scored count for them: the
 * driver sorts the keys of the domains that more than one model scored, keeps those that occur more
 * than once, and sums those sequences by signature as the pass over {@code sequences/} does ({@link
 * Signatures}), on all of its cores. Every sum is exact, so the result has the same bits as that
 * pass's. Sequences are matched by their 64-bit key (seed, domain and id hashed; two ids collide
 * with probability about 2^-64), where the pass compares the ids.
 *
 * <p>Cost on the driver: O(sequences log sequences) to find the shared keys, then O(shared
 * sequences x replicates) for the comparisons; memory 32 bytes per sequence (the samples).
 */
public final class SampledAnalysis {
  private SampledAnalysis() {}

  /** The intervals and comparisons of the groups in {@code samples}. */
  public static SequenceBootstrap.Result compute(
      List<SampledGroup> samples, BootstrapConfig bootstrap) {
    return new SequenceBootstrap.Result(
        intervals(samples, bootstrap), comparisons(samples, bootstrap));
  }

  private static Map<GroupKey, CorpusInterval> intervals(
      List<SampledGroup> samples, BootstrapConfig bootstrap) {
    Map<GroupKey, CorpusInterval> out = new HashMap<>();
    if (!bootstrap.enabled()) {
      return out;
    }
    Map<GroupKey, ReplicateSums> all = new LinkedHashMap<>();
    for (SampledGroup g : samples) {
      ReplicateSums sums = g.sample().replicates();
      put(
          out,
          new GroupKey(g.model(), g.tokenizer(), g.domain(), g.extraLabels()),
          sums,
          bootstrap);
      all.computeIfAbsent(
              new GroupKey(g.model(), g.tokenizer(), CorpusRow.ALL_DOMAINS, g.extraLabels()),
              k -> new ReplicateSums(bootstrap.replicates()))
          .merge(sums);
    }
    all.forEach((key, sums) -> put(out, key, sums, bootstrap));
    return out;
  }

  private static void put(
      Map<GroupKey, CorpusInterval> out,
      GroupKey key,
      ReplicateSums sums,
      BootstrapConfig bootstrap) {
    CorpusInterval interval = CorpusInterval.of(sums, bootstrap.confidence());
    if (interval != null) {
      out.put(key, interval);
    }
  }

  /** One row of a sample: which group of the domain, and where in its sample. */
  private record Row(int group, int index) {}

  private static List<Comparison> comparisons(
      List<SampledGroup> samples, BootstrapConfig bootstrap) {
    // Pairs are compared within a domain and equal extra labels: the sequences of one such part
    // share their weights key across the part's groups only.
    Map<List<String>, List<SampledGroup>> byDomain = new LinkedHashMap<>();
    for (SampledGroup g : samples) {
      List<String> part = new ArrayList<>(g.extraLabels());
      part.add(g.domain());
      byDomain.computeIfAbsent(part, k -> new ArrayList<>()).add(g);
    }
    Map<AnalysisKey, PairSums> sums = new HashMap<>();
    byDomain.forEach(
        (part, groups) -> {
          if (groups.size() > 1) {
            pairSums(groups.get(0).domain(), groups, bootstrap.replicates(), sums);
          }
        });
    List<Map.Entry<AnalysisKey, PairSums>> pairs = new ArrayList<>(sums.entrySet());
    pairs.sort((x, y) -> PairKey.ORDER.compare((PairKey) x.getKey(), (PairKey) y.getKey()));
    List<Comparison> out = new ArrayList<>(pairs.size());
    for (Map.Entry<AnalysisKey, PairSums> e : pairs) {
      out.add(Comparison.of((PairKey) e.getKey(), e.getValue(), bootstrap.confidence()));
    }
    return out;
  }

  /** Adds the pair sums of one domain's shared sequences into {@code out}. */
  private static void pairSums(
      String domain, List<SampledGroup> groups, int replicates, Map<AnalysisKey, PairSums> out) {
    long[] shared = sharedKeys(groups);
    if (shared.length == 0) {
      return;
    }
    // Rows bucketed by the position of their key among the shared ones (a counting sort).
    int[] count = new int[shared.length + 1];
    List<int[]> positions = new ArrayList<>();
    for (SampledGroup g : groups) {
      GroupSample s = g.sample();
      int[] at = new int[s.size()];
      for (int i = 0; i < at.length; i++) {
        int p = Arrays.binarySearch(shared, s.key(i));
        at[i] = p;
        if (p >= 0) {
          count[p + 1]++;
        }
      }
      positions.add(at);
    }
    for (int p = 0; p < shared.length; p++) {
      count[p + 1] += count[p];
    }
    Row[] rows = new Row[count[shared.length]];
    int[] next = Arrays.copyOf(count, shared.length);
    for (int g = 0; g < groups.size(); g++) {
      int[] at = positions.get(g);
      for (int i = 0; i < at.length; i++) {
        if (at[i] >= 0) {
          rows[next[at[i]]++] = new Row(g, i);
        }
      }
    }
    int slices = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), shared.length));
    List<Map<AnalysisKey, PairSums>> parts =
        IntStream.range(0, slices)
            .parallel()
            .mapToObj(
                slice -> {
                  Signatures signatures = new Signatures(replicates);
                  int from = (int) ((long) shared.length * slice / slices);
                  int to = (int) ((long) shared.length * (slice + 1) / slices);
                  for (int p = from; p < to; p++) {
                    addShared(domain, shared[p], rows, count[p], count[p + 1], groups, signatures);
                  }
                  Map<AnalysisKey, PairSums> part = new HashMap<>();
                  signatures.expand(false, part);
                  return part;
                })
            .toList();
    for (Map<AnalysisKey, PairSums> part : parts) {
      part.forEach((key, value) -> out.merge(key, value, PairSums::merge));
    }
  }

  /** The keys that occur more than once among the groups' sequences, ascending. */
  private static long[] sharedKeys(List<SampledGroup> groups) {
    int total = groups.stream().mapToInt(g -> g.sample().size()).sum();
    long[] keys = new long[total];
    int at = 0;
    for (SampledGroup g : groups) {
      for (int i = 0; i < g.sample().size(); i++) {
        keys[at++] = g.sample().key(i);
      }
    }
    return RepeatedKeys.repeated(keys, keys.length);
  }

  /** Adds one shared key's rows as a sequence, when more than one model scored it. */
  private static void addShared(
      String domain,
      long key,
      Row[] rows,
      int from,
      int to,
      List<SampledGroup> groups,
      Signatures signatures) {
    List<Signatures.Score> sequence = new ArrayList<>(to - from);
    boolean severalModels = false;
    for (int r = from; r < to; r++) {
      SampledGroup g = groups.get(rows[r].group());
      GroupSample s = g.sample();
      int i = rows[r].index();
      severalModels |= rows[r].group() != rows[from].group();
      sequence.add(
          new Signatures.Score(
              new Signatures.Scorer(g.model(), g.tokenizer(), g.extraLabels()),
              s.nll(i),
              s.tokens(i),
              s.bytes(i)));
    }
    // A sequence only one model scored (its own duplicate rows) belongs to no pair.
    if (severalModels) {
      signatures.addSequence(domain, key, sequence);
    }
  }
}
