package dev.sagashop.infra.mongo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How fast a snapshot of the command log is written. Written at once, a snapshot under load held most of a core
 * for a second (copying, checksums, the kernel's page cache and write-back) and every checkout in that second
 * waited behind it (docs/PERFORMANCE.md); paced, the same work is a small share of a core for a few seconds. A paced
 * file is also forced to disk as it goes, so its write-back is spread too, not left to the final force.
 * On start nothing else runs, and a snapshot is written at once.
 */
final class SnapshotPace {

  /** Sleeps, in nanoseconds. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  /** Forced to disk this often while paced. */
  private static final long FORCE_EVERY_BYTES = 4L << 20;
  /** Shorter waits are let accumulate: each wake-up of the writer is one more thread in the run queue. */
  private static final long LEAST_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final long bytesPerSecond;
  private final LongSupplier clock;
  private final Sleeper sleeper;
  private volatile boolean hurried;
  private long started;
  private long bytes;
  private long unforced;

  private SnapshotPace(long bytesPerSecond, LongSupplier clock, Sleeper sleeper) {
    this.bytesPerSecond = bytesPerSecond;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  static SnapshotPace atOnce() {
    return new SnapshotPace(0, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
  }

  static SnapshotPace of(long bytesPerSecond) {
    return of(bytesPerSecond, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
  }

  static SnapshotPace of(long bytesPerSecond, LongSupplier clock, Sleeper sleeper) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("a pace of " + bytesPerSecond + " bytes per second");
    }
    return new SnapshotPace(bytesPerSecond, clock, sleeper);
  }

  /** A snapshot starts being written. */
  void begin() {
    started = clock.getAsLong();
    bytes = 0;
    unforced = 0;
  }

  /** From now on, write at once: the snapshot is waited for (the server is stopping). */
  void hurry() {
    hurried = true;
  }

  /** Called after {@code written} more bytes went to {@code out}: forces them and waits while ahead of the pace. */
  void wrote(FileChannel out, long written) throws IOException {
    if (bytesPerSecond == 0 || hurried) {
      return;
    }
    bytes += written;
    unforced += written;
    if (unforced >= FORCE_EVERY_BYTES) {
      out.force(false);
      unforced = 0;
    }
    long ahead = started + (long) (bytes * 1e9 / bytesPerSecond) - clock.getAsLong();
    if (ahead >= LEAST_SLEEP_NANOS) {
      try {
        sleeper.sleep(ahead);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        hurried = true;
      }
    }
  }
}
