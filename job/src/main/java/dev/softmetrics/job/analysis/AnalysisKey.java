package dev.softmetrics.job.analysis;

import java.io.Serializable;

/** What the bootstrap pass aggregates: a {@code corpus/} group or a {@code comparisons/} pair. */
sealed interface AnalysisKey extends Serializable permits GroupKey, PairKey {}
