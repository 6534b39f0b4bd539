package dev.softmetrics.job.aggregate;

/**
 * One row of {@code positions/}: a group's (or roll-up's) tokens at positions {@code firstPosition}
 * to {@code lastPosition} of their sequences (bucket {@code bucket}), their NLL and, where every
 * sequence of the group has entropies, their mean entropy (else null). {@code extraLabels} holds
 * the group's values of the extra labels ({@code labels.extra}); empty for none.
 */
public record PositionRow(
    String model,
    String tokenizer,
    String domain,
    int bucket,
    long firstPosition,
    long lastPosition,
    long tokens,
    double nllSum,
    double meanNll,
    double pplToken,
    Double meanEntropy,
    java.util.List<String> extraLabels) {}
