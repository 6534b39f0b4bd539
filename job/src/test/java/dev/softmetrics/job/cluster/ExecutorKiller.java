package dev.softmetrics.job.cluster;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Kills one executor JVM (SIGKILL, as a crashed or OOM-killed node would die) the moment the first
 * task of a given job starts on it, so that task is lost in flight, and records what the driver saw
 * afterwards: the executor's removal and the tasks that failed because of it. A test asserts on
 * those records, so it cannot pass without an executor having been lost mid-task.
 */
public final class ExecutorKiller extends SparkListener {
  /** The local property that {@code SparkContext.setJobDescription} sets. */
  private static final String JOB_DESCRIPTION = "spark.job.description";

  private final StandaloneCluster cluster;
  private final String appId;
  private final String jobDescription;
  private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
  private final AtomicReference<String> killed = new AtomicReference<>();
  private final AtomicReference<ProcessHandle> process = new AtomicReference<>();
  private final Set<String> removed = ConcurrentHashMap.newKeySet();
  private final List<Long> lostTasks = new CopyOnWriteArrayList<>();
  private final List<Long> finishedMillis = new CopyOnWriteArrayList<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();

  /**
   * @param jobDescription the job whose first task is the moment to kill (its {@code
   *     setJobDescription})
   */
  public ExecutorKiller(StandaloneCluster cluster, String appId, String jobDescription) {
    this.cluster = cluster;
    this.appId = appId;
    this.jobDescription = jobDescription;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    if (event.properties() != null
        && jobDescription.equals(event.properties().getProperty(JOB_DESCRIPTION))) {
      stages.add(event.stageInfo().stageId());
    }
  }

  @Override
  public void onTaskStart(SparkListenerTaskStart event) {
    String executor = event.taskInfo().executorId();
    if (!stages.contains(event.stageId()) || !killed.compareAndSet(null, executor)) {
      return;
    }
    cluster
        .executor(appId, executor)
        .ifPresentOrElse(
            p -> {
              process.set(p);
              p.destroyForcibly();
            },
            () -> problems.add("no process found for executor " + executor + " of " + appId));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    if (event.reason() instanceof ExecutorLostFailure lost && lost.execId().equals(killed.get())) {
      lostTasks.add(event.taskInfo().taskId());
    } else if (stages.contains(event.stageId())) {
      finishedMillis.add(event.taskInfo().duration());
    }
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
    removed.add(event.executorId());
  }

  /** The executor killed, or null. */
  public String killedExecutor() {
    return killed.get();
  }

  /** Its JVM, or null. */
  public ProcessHandle killedProcess() {
    return process.get();
  }

  /** The executors the driver removed. */
  public Set<String> removedExecutors() {
    return Set.copyOf(removed);
  }

  /** The tasks that failed because the killed executor was lost. */
  public List<Long> lostTasks() {
    return List.copyOf(lostTasks);
  }

  /** How long the job's other tasks took, in milliseconds: the window there was to kill one in. */
  public List<Long> finishedMillis() {
    return List.copyOf(finishedMillis);
  }

  /** What went wrong inside the listener (Spark only logs a listener's exceptions). */
  public List<String> problems() {
    return List.copyOf(problems);
  }
}
