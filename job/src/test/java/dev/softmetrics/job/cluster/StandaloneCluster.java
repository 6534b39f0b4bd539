package dev.softmetrics.job.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: one Master and some Workers, child JVMs of
 * this one, started from the Maven artifacts alone. {@code SPARK_HOME} is a folder holding only
 * {@code jars/} (links to the jars of Spark's class path, as the build recorded it), which with
 * {@code SPARK_SCALA_VERSION=2.13} is all a Worker needs to launch executors and drivers.
 *
 * <p>Every port is the operating system's choice (port 0, the web UIs included, the REST server
 * off) and read back from the logs, so parallel builds never collide. {@link #close()} destroys the
 * Workers, the Master and everything they started (executors, cluster-mode drivers); a shutdown
 * hook does the same if the JVM exits before {@code close()} is called.
 */
public final class StandaloneCluster implements AutoCloseable {
  private static final Pattern MASTER_URL =
      Pattern.compile("Starting Spark master at (spark://\\S+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Path dir;
  private final Path sparkHome;
  private final Process master;
  private final String masterUrl;
  private final List<Process> workers = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::destroyAll, "standalone-cluster-teardown");

  private StandaloneCluster(Path dir, Path sparkHome, Process master, String masterUrl) {
    this.dir = dir;
    this.sparkHome = sparkHome;
    this.master = master;
    this.masterUrl = masterUrl;
  }

  /**
   * Starts a Master and {@code workers} Workers under {@code dir}; returns once the Master listens,
   * without waiting for the Workers (see {@link #awaitWorkers()}).
   *
   * @param sparkClasspath Spark's jars, {@code :}-separated
   */
  public static StandaloneCluster start(
      Path dir, String sparkClasspath, int workers, int cores, String memory) throws IOException {
    Path sparkHome = linkJars(dir.resolve("spark-home"), sparkClasspath);
    Path masterLog = dir.resolve("master.log");
    Process master =
        launch(
            sparkHome,
            List.of("-Dspark.master.rest.enabled=false"),
            "org.apache.spark.deploy.master.Master",
            List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0"),
            masterLog);
    String url;
    try {
      url = awaitLine(master, masterLog, MASTER_URL);
    } catch (IOException | RuntimeException e) {
      master.destroyForcibly();
      throw e;
    }
    StandaloneCluster cluster = new StandaloneCluster(dir, sparkHome, master, url);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      for (int w = 1; w <= workers; w++) {
        Path work = Files.createDirectories(dir.resolve("worker-" + w));
        cluster.workers.add(
            launch(
                sparkHome,
                List.of(),
                "org.apache.spark.deploy.worker.Worker",
                List.of(
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--webui-port",
                    "0",
                    "--cores",
                    String.valueOf(cores),
                    "--memory",
                    memory,
                    "--work-dir",
                    work.toString(),
                    url),
                dir.resolve("worker-" + w + ".log")));
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Waits until every Worker has registered with the Master. */
  public void awaitWorkers() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Path log = dir.resolve("master.log");
    while (count(log, "Registering worker ") < workers.size()) {
      for (Process worker : workers) {
        if (!worker.isAlive()) {
          throw new IllegalStateException("A worker exited; logs under " + dir + ":\n" + logs());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Workers did not register in time:\n" + logs());
      }
      sleep(200);
    }
  }

  /** The Master's {@code spark://127.0.0.1:PORT}. */
  public String masterUrl() {
    return masterUrl;
  }

  /**
   * What a process that submits to this cluster needs in its environment: {@code SPARK_HOME},
   * {@code SPARK_SCALA_VERSION}, {@code SPARK_LOCAL_IP}, and {@code JAVA_HOME} (Workers launch
   * executors with its {@code bin/java}).
   */
  public Map<String, String> environment() {
    return environment(sparkHome);
  }

  /** The Workers' work folders, where each application's executor logs and drivers are. */
  public List<Path> workDirs() {
    List<Path> dirs = new ArrayList<>();
    for (int w = 1; w <= workers.size(); w++) {
      dirs.add(dir.resolve("worker-" + w));
    }
    return dirs;
  }

  /** Every executor's {@code stderr} of an application, one per executor that was launched. */
  public List<Path> executorLogs(String appId) throws IOException {
    List<Path> logs = new ArrayList<>();
    for (Path work : workDirs()) {
      Path app = work.resolve(appId);
      if (Files.isDirectory(app)) {
        try (Stream<Path> executors = Files.list(app)) {
          executors.map(e -> e.resolve("stderr")).filter(Files::isRegularFile).forEach(logs::add);
        }
      }
    }
    return logs;
  }

  /** The running executor JVM of an application, among the processes the Workers started. */
  public Optional<ProcessHandle> executor(String appId, String executorId) {
    return workers.stream()
        .flatMap(Process::descendants)
        .filter(
            p -> {
              List<String> args = Arrays.asList(p.info().arguments().orElse(new String[0]));
              int id = args.indexOf("--executor-id");
              int app = args.indexOf("--app-id");
              return args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")
                  && id >= 0
                  && id + 1 < args.size()
                  && args.get(id + 1).equals(executorId)
                  && app >= 0
                  && app + 1 < args.size()
                  && args.get(app + 1).equals(appId);
            })
        .findFirst();
  }

  /** The Master's and Workers' logs, for failure messages. */
  public String logs() {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".log"))
          .sorted()
          .map(f -> "== " + f + "\n" + tail(f))
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(cannot list " + dir + ": " + e + ")";
    }
  }

  @Override
  public void close() {
    destroyAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // The JVM is shutting down, or the hook was never added: it ran or is not needed.
    }
  }

  /**
   * The Master first, so that no Worker is told to launch anything more; then each Worker and what
   * it started (executors, drivers), found before the Worker dies and its children lose their
   * parent. Each process is waited for.
   */
  private void destroyAll() {
    List<ProcessHandle> stopped = new ArrayList<>();
    master.destroyForcibly();
    stopped.add(master.toHandle());
    for (Process worker : workers) {
      List<ProcessHandle> children = worker.descendants().collect(Collectors.toList());
      worker.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
      stopped.add(worker.toHandle());
      stopped.addAll(children);
    }
    for (ProcessHandle process : stopped) {
      try {
        process.onExit().get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "Cannot stop process " + process.pid() + " of the cluster under " + dir, e);
      }
    }
  }

  private static Path linkJars(Path sparkHome, String classpath) throws IOException {
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    for (String entry : classpath.trim().split(":")) {
      Path jar = Path.of(entry);
      Path link = jars.resolve(jar.getFileName());
      if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, jar);
      }
    }
    return sparkHome;
  }

  /** This JVM's {@code java}. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The Java 17 flags this JVM runs with (the build's {@code java17.opens}, and the Vector API
   * module when it has it), for the JVMs it starts.
   */
  public static List<String> java17Options() {
    List<String> options = new ArrayList<>();
    for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (option.startsWith("--add-opens")
          || option.startsWith("--add-modules")
          || option.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
          || option.startsWith("-Djdk.reflect.useDirectMethodHandle")
          || option.startsWith("-Dio.netty.tryReflectionSetAccessible")) {
        options.add(option);
      }
    }
    return options;
  }

  private static Map<String, String> environment(Path sparkHome) {
    return Map.of(
        "SPARK_HOME",
        sparkHome.toString(),
        "SPARK_SCALA_VERSION",
        "2.13",
        "SPARK_LOCAL_IP",
        "127.0.0.1",
        "JAVA_HOME",
        System.getProperty("java.home"));
  }

  /** A daemon JVM with this JVM's Java 17 flags (Surefire's argLine) and a small heap. */
  private static Process launch(
      Path sparkHome, List<String> jvmOptions, String mainClass, List<String> args, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(java17Options());
    // The daemons only pass messages: a small heap, and no optimizing JIT to spend CPU on.
    command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", sparkHome.resolve("jars") + "/*", mainClass));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder.environment().putAll(environment(sparkHome));
    return builder.start();
  }

  private static String awaitLine(Process process, Path log, Pattern pattern) throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (Files.exists(log)) {
        Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (m.find()) {
          return m.group(1);
        }
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Cannot start the Spark master (no '" + pattern + "' in its log):\n" + tail(log));
      }
      sleep(100);
    }
  }

  private static long count(Path log, String text) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.contains(text)).count();
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the cluster", e);
    }
  }
}
