package dev.sagashop.launcher;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a process worked: the wall-clock time it spent using {@value #BUSY_CORES} of a core or more, added up over
 * windows of a few seconds from its CPU time. An idle shop uses about a tenth of a core, one under load all it can
 * get: this tells a recording run that profiled checkouts from one that only stood for long.
 */
final class BusyTime {

  static final Duration WINDOW = Duration.ofSeconds(5);
  private static final double BUSY_CORES = 0.5;

  private final AtomicLong busyNanos = new AtomicLong();

  private BusyTime() {
  }

  /** Starts watching {@code process} on a daemon thread of its own, until it exits. */
  static BusyTime of(ProcessHandle process, Duration window) {
    BusyTime busy = new BusyTime();
    Thread sampler = new Thread(() -> busy.sample(process, window), "busy-time-" + process.pid());
    sampler.setDaemon(true);
    sampler.start();
    return busy;
  }

  /** The busy time seen so far; the last few seconds before the process exited are not counted. */
  Duration busy() {
    return Duration.ofNanos(busyNanos.get());
  }

  private void sample(ProcessHandle process, Duration window) {
    long wallAt = System.nanoTime();
    Optional<Duration> cpuAt = process.info().totalCpuDuration();
    while (cpuAt.isPresent()) {
      try {
        Thread.sleep(window.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      long wall = System.nanoTime();
      Optional<Duration> cpu = process.isAlive() ? process.info().totalCpuDuration() : Optional.empty();
      if (cpu.isPresent() && cpu.get().minus(cpuAt.get()).toNanos() >= BUSY_CORES * (wall - wallAt)) {
        busyNanos.addAndGet(wall - wallAt);
      }
      wallAt = wall;
      cpuAt = cpu;
    }
  }
}
