package dev.softmetrics.job.io;

import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/** Resources a Spark task opens and must free when it ends, however it ends. */
public final class TaskEnd {
  private TaskEnd() {}

  /**
   * Closes {@code resource} when the running task completes (succeeds, fails or is killed); outside
   * a task (a driver-side call, a unit test) the caller closes it.
   *
   * @return {@code resource}
   */
  public static <T extends AutoCloseable> T closes(T resource) {
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener(
          new TaskCompletionListener() {
            @Override
            public void onTaskCompletion(TaskContext context) {
              try {
                resource.close();
              } catch (RuntimeException e) {
                throw e;
              } catch (Exception e) {
                throw new IllegalStateException("Cannot close " + resource, e);
              }
            }
          });
    }
    return resource;
  }
}
