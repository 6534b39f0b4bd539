package dev.softmetrics.job.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output folder's lock on the local file system: one holder at a time, even when several take
 * it at once; a live holder is named to the next run; a stale lock (lease expired, or its process
 * gone from this host) is taken over, saying so; a holder that lost its lock cannot commit.
 */
class OutputLockTest {
  private static final Duration LEASE = Duration.ofMinutes(1);

  @TempDir Path out;

  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  private OutputLock acquire(String runId, Duration lease) {
    return OutputLock.acquire(new Configuration(), out.toString(), runId, lease, log::add);
  }

  @Test
  void aSecondRunIsRefusedNamingTheHolderUntilTheHolderReleasesTheLock() throws Exception {
    OutputLock first = acquire("first", LEASE);
    String host = InetAddress.getLocalHost().getHostName();
    long pid = ProcessHandle.current().pid();

    assertThatThrownBy(() -> acquire("second", LEASE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Cannot write into " + out + ": run first (host " + host + ", pid " + pid + ", since ")
        .hasMessageContaining(") holds its lock until ")
        .hasMessageEndingWith(
            "(one run at a time per output folder: wait for it to end, or use another --output;"
                + " a killed run's lock expires then)");
    first.checkHeld();
    first.close();

    assertThat(out.resolve("_lock")).doesNotExist();
    try (OutputLock second = acquire("second", LEASE)) {
      assertThat(out.resolve("_lock")).content().contains("run_id=second\n");
    }
    assertThat(log).isEmpty();
  }

  @Test
  void ofEightRunsTakingTheLockAtOnceExactlyOneGetsIt() throws Exception {
    int runs = 8;
    CyclicBarrier start = new CyclicBarrier(runs);
    ExecutorService pool = Executors.newFixedThreadPool(runs);
    List<Future<OutputLock>> attempts = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      String runId = "run" + i;
      attempts.add(
          pool.submit(
              () -> {
                start.await();
                try {
                  return acquire(runId, LEASE);
                } catch (IllegalArgumentException held) {
                  return null;
                }
              }));
    }
    List<OutputLock> holders = new ArrayList<>();
    for (Future<OutputLock> attempt : attempts) {
      OutputLock lock = attempt.get();
      if (lock != null) {
        holders.add(lock);
      }
    }
    pool.shutdown();
    assertThat(holders).hasSize(1);
    holders.get(0).close();
  }

  @Test
  void aLockWhoseLeaseExpiredIsTakenOverSayingSo() throws Exception {
    Instant renewed = Instant.parse("2026-12-01T10:00:00Z");
    writeLock("old", "elsewhere.example", 4242, "", "", 60_000, "stale-token");
    Files.setLastModifiedTime(out.resolve("_lock"), FileTime.from(renewed));

    try (OutputLock lock = acquire("new", LEASE)) {
      lock.checkHeld();
      assertThat(out.resolve("_lock")).content().contains("run_id=new\n");
    }
    assertThat(log)
        .containsExactly(
            "took over the lock of "
                + out
                + " from run old (host elsewhere.example, pid 4242, since 2026-12-01T09:00:00Z):"
                + " its lease expired at 2026-12-01T10:01:00Z");
  }

  @Test
  void aLockOfAProcessGoneFromThisHostIsTakenOverAtOnce() throws Exception {
    Process child = new ProcessBuilder("sleep", "60").start();
    String started = child.info().startInstant().orElseThrow().toString();
    long pid = child.pid();
    child.destroyForcibly().waitFor();
    String host = InetAddress.getLocalHost().getHostName();
    String namespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
    writeLock("killed", host, pid, namespace, started, 3_600_000, "killed-token");

    try (OutputLock lock = acquire("next", LEASE)) {
      lock.checkHeld();
    }
    assertThat(log)
        .singleElement()
        .asString()
        .endsWith(
            "from run killed (host "
                + host
                + ", pid "
                + pid
                + ", since 2026-12-01T09:00:00Z): its process is gone");
  }

  @Test
  void aLiveProcessOnThisHostKeepsItsLockEvenPastItsLease() throws Exception {
    ProcessHandle self = ProcessHandle.current();
    writeLock(
        "alive",
        InetAddress.getLocalHost().getHostName(),
        self.pid(),
        Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(),
        self.info().startInstant().orElseThrow().toString(),
        3_600_000,
        "alive-token");

    assertThatThrownBy(() -> acquire("next", LEASE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(": run alive (host ");
  }

  @Test
  void aHolderWhoseLockWasTakenOverCannotCommitAndLeavesTheNewLock() throws Exception {
    OutputLock paused = acquire("paused", LEASE);
    // What a taker does once the paused run's lease has expired.
    Files.delete(out.resolve("_lock"));
    OutputLock taker = acquire("taker", LEASE);

    assertThatThrownBy(paused::checkHeld)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "Cannot commit run paused into " + out + ": its lock was taken over by run taker (")
        .hasMessageEndingWith(
            "(nothing of this run is committed; run it again when no other run writes there)");
    paused.close();
    assertThat(out.resolve("_lock")).content().contains("run_id=taker\n");
    taker.close();
    assertThat(out.resolve("_lock")).doesNotExist();
  }

  @Test
  void theHolderRenewsItsLeaseSoThatALongRunKeepsItsLock() throws Exception {
    Duration lease = Duration.ofSeconds(3);
    try (OutputLock lock = acquire("long", lease)) {
      FileTime created = Files.getLastModifiedTime(out.resolve("_lock"));
      Thread.sleep(lease.toMillis() + 1000);
      assertThat(Files.getLastModifiedTime(out.resolve("_lock"))).isGreaterThan(created);
      lock.checkHeld();
      assertThatThrownBy(() -> acquire("other", lease))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(": run long (host ");
    }
  }

  @Test
  void anOutputThatIsAFileIsRefused() throws Exception {
    Path file = Files.writeString(out.resolve("file"), "x");
    assertThatThrownBy(
            () -> OutputLock.acquire(new Configuration(), file.toString(), "r", LEASE, log::add))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid --output: " + file + " is a file (must be a folder)");
  }

  private void writeLock(
      String runId, String host, long pid, String namespace, String start, long lease, String token)
      throws Exception {
    Files.writeString(
        out.resolve("_lock"),
        String.join(
            "\n",
            "run_id=" + runId,
            "host=" + host,
            "pid=" + pid,
            "pid_namespace=" + namespace,
            "process_start=" + start,
            "since=2026-12-01T09:00:00Z",
            "lease_ms=" + lease,
            "token=" + token,
            ""));
  }
}
