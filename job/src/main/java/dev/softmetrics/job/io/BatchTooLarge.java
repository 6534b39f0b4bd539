package dev.softmetrics.job.io;

/**
 * A batch that holds more values than one Arrow vector can (2^31 elements or bytes): the user's
 * setting to change, not a file that cannot be read, so the task readers let it through as it is
 * instead of reporting the file as unreadable (which {@code read.skip-corrupt-files} would skip).
 */
final class BatchTooLarge extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  BatchTooLarge(String message) {
    super(message);
  }
}
