package dev.softmetrics.job.score;

import dev.softmetrics.job.aggregate.CorpusRow;
import dev.softmetrics.job.analysis.Comparison;
import dev.softmetrics.job.output.RunRecord;
import java.util.List;

/**
 * What a finished run wrote: its {@code runs/} row, its {@code corpus/} rows and its {@code
 * comparisons/} rows.
 */
public record RunResult(RunRecord run, List<CorpusRow> corpus, List<Comparison> comparisons) {}
