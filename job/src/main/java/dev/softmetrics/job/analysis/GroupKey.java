package dev.softmetrics.job.analysis;

/** A (model, tokenizer, domain) group of {@code corpus/}, {@code __all__} for a roll-up. */
public record GroupKey(String model, String tokenizer, String domain) implements AnalysisKey {}
