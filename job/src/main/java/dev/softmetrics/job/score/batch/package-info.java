/**
 * The executor side of a scoring run: what runs inside a Spark task, on the batches of one scan
 * partition. A batch is viewed as Arrow vectors, the kernels of {@code udfs} compute every metric,
 * and each row leaves as a scored row, a rejected row with its message, or (logits layout) a {@link
 * dev.softmetrics.job.score.batch.Chunk} that is assembled with the other chunks of its sequence in
 * a later task. The driver side ({@code dev.softmetrics.job.score}) plans the passes, builds these
 * functions and ships them to the tasks; nothing here depends on it.
 */
package dev.softmetrics.job.score.batch;
