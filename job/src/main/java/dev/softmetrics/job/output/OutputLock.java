package dev.softmetrics.job.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One run at a time per output folder: the file {@code DIR/_lock}, created atomically ({@link
 * LockStore}), names its owner ({@link LockOwner}). Its modification time is the lease's start: a
 * daemon thread touches it every quarter lease while the run lives. Another run finds it held and
 * stops naming the holder, unless the lease has expired or the holder's process is gone from this
 * host; then it takes the lock over, saying so.
 *
 * <p>A take-over first creates {@code _lock.<token>.takeover} (atomically, so one taker wins),
 * checks that the lock is still the stale one, deletes it and creates its own. A holder that was
 * paused past its lease finds another token (or none) in the lock and must not commit: {@link
 * #checkHeld()}.
 */
public final class OutputLock implements AutoCloseable {
  /** The lock's name in the output folder; the underscore hides it from table readers. */
  public static final String NAME = "_lock";

  private static final int ATTEMPTS = 5;

  private final LockStore store;
  private final Path output;
  private final Path file;
  private final LockOwner me;
  private final boolean createdFolder;
  private final ScheduledExecutorService renewer;
  private volatile long renewedAt;
  private volatile String lostTo;

  private OutputLock(
      LockStore store, Path output, LockOwner me, long createdAt, boolean createdFolder) {
    this.store = store;
    this.createdFolder = createdFolder;
    this.output = output;
    this.file = new Path(output, NAME);
    this.me = me;
    this.renewedAt = createdAt;
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "softmetrics-lock-renewal");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(me.leaseMillis() / 4, 10);
    renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes the lock of {@code output} for run {@code runId}, creating the folder if needed.
   *
   * @throws IllegalArgumentException when {@code output} is a file, or another live run holds the
   *     lock (naming it)
   */
  public static OutputLock acquire(
      Configuration hadoop, String output, String runId, Duration lease, Consumer<String> log) {
    Path out = new Path(output);
    try {
      FileSystem fs = out.getFileSystem(hadoop);
      boolean existed = fs.exists(out);
      if (existed && !fs.getFileStatus(out).isDirectory()) {
        throw new IllegalArgumentException(
            String.format("Invalid --output: %s is a file (must be a folder)", output));
      }
      fs.mkdirs(out);
      LockStore store = new LockStore(fs);
      LockOwner me = LockOwner.current(runId, lease);
      Path file = new Path(out, NAME);
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (store.createNew(file, me.render())) {
          return new OutputLock(store, out, me, System.currentTimeMillis(), !existed);
        }
        store.read(file).ifPresent(held -> takeOverIfStale(store, out, held, lease, log));
      }
      throw new IllegalStateException(
          "Cannot lock " + output + ": other runs keep taking its lock (run one at a time)");
    } catch (IOException e) {
      throw WriteFailures.explain(e, output);
    }
  }

  /**
   * Throws unless this run still holds the lock and renewed it within its lease: a run paused past
   * its lease may have been overtaken, and must not commit.
   */
  public void checkHeld() {
    Optional<LockOwner> owner;
    try {
      owner = store.read(file).flatMap(held -> LockOwner.parse(held.text()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the lock " + file + ": " + e.getMessage(), e);
    }
    String lost = lostTo;
    if (lost == null && owner.map(o -> !o.token().equals(me.token())).orElse(true)) {
      lost = owner.map(o -> "was taken over by " + o.describe()).orElse("was removed");
    }
    if (lost == null && System.currentTimeMillis() - renewedAt > me.leaseMillis()) {
      lost = "was not renewed for longer than its lease (the process was paused)";
    }
    if (lost != null) {
      throw new IllegalStateException(
          String.format(
              "Cannot commit run %s into %s: its lock %s (nothing of this run is committed; run it"
                  + " again when no other run writes there)",
              me.runId(), output, lost));
    }
  }

  /**
   * Stops renewing and deletes the lock if this run still holds it; an output folder that the lock
   * created and that holds nothing else (a run stopped by bad input) goes too.
   */
  @Override
  public void close() {
    renewer.shutdownNow();
    try {
      Optional<LockOwner> owner = store.read(file).flatMap(held -> LockOwner.parse(held.text()));
      if (owner.isPresent() && owner.get().token().equals(me.token())) {
        store.delete(file);
        if (createdFolder) {
          store.deleteIfEmpty(output);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot release the lock " + file + ": " + e.getMessage(), e);
    }
  }

  private void renew() {
    try {
      Optional<LockStore.Held> held = store.read(file);
      Optional<LockOwner> owner = held.flatMap(h -> LockOwner.parse(h.text()));
      if (owner.isEmpty() || !owner.get().token().equals(me.token())) {
        lostTo = owner.map(o -> "was taken over by " + o.describe()).orElse("was removed");
        renewer.shutdown();
        return;
      }
      long now = System.currentTimeMillis();
      store.touch(file, now);
      renewedAt = now;
    } catch (IOException | RuntimeException e) {
      // A failed renewal is retried; checkHeld fails the run once the lease has passed.
    }
  }

  /** Deletes a held lock whose lease expired or whose process is gone; throws if it is live. */
  private static void takeOverIfStale(
      LockStore store, Path out, LockStore.Held held, Duration lease, Consumer<String> log) {
    Optional<LockOwner> owner = LockOwner.parse(held.text());
    long expires = held.modifiedAt() + owner.map(LockOwner::leaseMillis).orElse(lease.toMillis());
    String holder = owner.map(LockOwner::describe).orElse("a run that is starting");
    String why;
    if (owner.isPresent() && owner.get().goneFromThisHost()) {
      why = "its process is gone";
    } else if (System.currentTimeMillis() > expires) {
      why = "its lease expired at " + Instant.ofEpochMilli(expires);
    } else {
      throw new IllegalArgumentException(
          String.format(
              "Cannot write into %s: %s holds its lock until %s (one run at a time per output"
                  + " folder: wait for it to end, or use another --output; a killed run's lock"
                  + " expires then)",
              out, holder, Instant.ofEpochMilli(expires)));
    }
    try {
      String token = owner.map(LockOwner::token).orElse(Long.toString(held.modifiedAt()));
      Path claim = new Path(out, NAME + "." + token + ".takeover");
      if (!store.createNew(claim, "")) {
        deleteIfOlder(store, claim, lease);
        return;
      }
      try {
        if (store.read(new Path(out, NAME)).equals(Optional.of(held))) {
          store.delete(new Path(out, NAME));
          log.accept(String.format("took over the lock of %s from %s: %s", out, holder, why));
        }
      } finally {
        store.delete(claim);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot take over the lock of " + out + ": " + e, e);
    }
  }

  /** A claim left by a taker that died is cleared once it is older than a lease. */
  private static void deleteIfOlder(LockStore store, Path claim, Duration lease)
      throws IOException {
    Optional<LockStore.Held> held = store.read(claim);
    if (held.isPresent()
        && System.currentTimeMillis() - held.get().modifiedAt() > lease.toMillis()) {
      store.delete(claim);
    }
  }
}
