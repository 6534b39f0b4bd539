package dev.softmetrics.job.output;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Who holds an output folder's lock: the run, the process (host, pid, its pid namespace and start
 * time, so that a recycled pid or another container's pid is not mistaken for it), since when, for
 * how long a lease, and a random token that tells this holder from a later one of the same run id.
 * Stored as {@code key=value} lines.
 */
record LockOwner(
    String runId,
    String host,
    long pid,
    String pidNamespace,
    String processStart,
    Instant since,
    long leaseMillis,
    String token) {

  /** The owner this process would be, for run {@code runId}. */
  static LockOwner current(String runId, Duration lease) {
    ProcessHandle self = ProcessHandle.current();
    return new LockOwner(
        runId,
        hostName(),
        self.pid(),
        currentPidNamespace(),
        startOf(self),
        Instant.now(),
        lease.toMillis(),
        UUID.randomUUID().toString());
  }

  String render() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("run_id", runId);
    fields.put("host", host);
    fields.put("pid", Long.toString(pid));
    fields.put("pid_namespace", pidNamespace);
    fields.put("process_start", processStart);
    fields.put("since", since.toString());
    fields.put("lease_ms", Long.toString(leaseMillis));
    fields.put("token", token);
    StringBuilder text = new StringBuilder();
    fields.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.toString();
  }

  /** The owner {@code text} names, or empty when it is incomplete (a lock being written). */
  static Optional<LockOwner> parse(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    try {
      return Optional.of(
              new LockOwner(
                  fields.get("run_id"),
                  fields.get("host"),
                  Long.parseLong(fields.get("pid")),
                  fields.getOrDefault("pid_namespace", ""),
                  fields.getOrDefault("process_start", ""),
                  Instant.parse(fields.get("since")),
                  Long.parseLong(fields.get("lease_ms")),
                  fields.get("token")))
          .filter(o -> o.runId() != null && o.host() != null && o.token() != null);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** "run X (host h, pid p, since t)". */
  String describe() {
    return String.format("run %s (host %s, pid %d, since %s)", runId, host, pid, since);
  }

  /**
   * True when this owner's process is known to be gone: it ran on this host, in this pid namespace,
   * and no process with its pid and start time exists. Anything less certain is not gone.
   */
  boolean goneFromThisHost() {
    if (!host.equals(hostName()) || pidNamespace.isEmpty()) {
      return false;
    }
    if (!pidNamespace.equals(currentPidNamespace()) || processStart.isEmpty()) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    return process.isEmpty() || !processStart.equals(startOf(process.get()));
  }

  private static String startOf(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toString).orElse("");
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  /** Linux's id of this process's pid namespace ("pid:[4026531836]"), or "" elsewhere. */
  private static String currentPidNamespace() {
    try {
      return Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")).toString();
    } catch (Exception e) {
      return "";
    }
  }
}
