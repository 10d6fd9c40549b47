package dev.sagashop.bench;

import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The stretches in which the host of a virtual machine took a good share of its CPU (steal in {@code /proc/stat}),
 * read every {@value #SLICE_MS} ms while the window is measured: the checkouts in flight then were slowed by
 * something no build of the shop can change.
 */
final class StolenTime {

  static final long SLICE_MS = 100;
  /** The share of a slice's CPU time the host must take for the slice to count as stolen: a fifth. */
  static final double AT_LEAST = 0.2;
  static final String WHAT = "time stolen by the host (a " + SLICE_MS + " ms slice with a fifth or more of the "
    + "machine's CPU stolen)";

  private final Supplier<CpuBreakdown.MachineTicks> ticks;
  private final List<Interference.Span> stolen = new ArrayList<>();
  private CpuBreakdown.MachineTicks last;
  private long lastAtNanos;

  StolenTime(Supplier<CpuBreakdown.MachineTicks> ticks) {
    this.ticks = ticks;
  }

  /** Reads the counters every slice until {@code stopAtNanos}. */
  void watch(Vertx vertx, long stopAtNanos) {
    read(System.nanoTime());
    vertx.setPeriodic(SLICE_MS, timer -> {
      long now = System.nanoTime();
      read(now);
      if (now >= stopAtNanos) {
        vertx.cancelTimer(timer);
      }
    });
  }

  /** Takes one reading at {@code atNanos}; the slice since the last one is kept if enough of it was stolen. */
  void read(long atNanos) {
    CpuBreakdown.MachineTicks now = ticks.get();
    if (last != null) {
      long all = now.all() - last.all();
      if (all > 0 && (double) (now.stolen() - last.stolen()) / all >= AT_LEAST) {
        stolen.add(new Interference.Span(lastAtNanos, atNanos));
      }
    }
    last = now;
    lastAtNanos = atNanos;
  }

  List<Interference.Span> stolen() {
    return stolen;
  }
}
