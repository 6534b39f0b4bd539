package dev.softmetrics.job.analysis;

import java.util.List;

/**
 * A (model, tokenizer, extra labels, domain) group of {@code corpus/}, {@code __all__} for a
 * roll-up; {@code extraLabels} is empty without {@code labels.extra}.
 */
public record GroupKey(String model, String tokenizer, String domain, List<String> extraLabels)
    implements AnalysisKey {}
