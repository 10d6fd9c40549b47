package dev.sagashop.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StolenTimeTest {

  private static final long MS = 1_000_000L;

  @Test
  @DisplayName("a slice counts as stolen when a fifth or more of the machine's CPU time in it went to the host")
  void keepsTheSlicesTheHostTook() {
    // Readings of (busy, stolen, all) ticks: slices of 20 ticks with 0, 4 (a fifth), 3 and 10 stolen.
    Deque<CpuBreakdown.MachineTicks> readings = new ArrayDeque<>(List.of(
      new CpuBreakdown.MachineTicks(0, 0, 0),
      new CpuBreakdown.MachineTicks(18, 0, 20),
      new CpuBreakdown.MachineTicks(32, 4, 40),
      new CpuBreakdown.MachineTicks(49, 7, 60),
      new CpuBreakdown.MachineTicks(59, 17, 80)));
    StolenTime stolenTime = new StolenTime(readings::poll);

    for (int slice = 0; slice <= 4; slice++) {
      stolenTime.read(slice * 100 * MS);
    }

    assertEquals(List.of(new Interference.Span(100 * MS, 200 * MS), new Interference.Span(300 * MS, 400 * MS)),
      stolenTime.stolen());
  }

  @Test
  @DisplayName("the checkouts in flight during a stolen slice are told apart from the others, with the others' spread")
  void reportsWhoMetStolenTime() {
    Latencies checkouts = new Latencies();
    for (int i = 0; i < 98; i++) {
      checkouts.record(1_000 * MS + i * MS, 10 * MS);
    }
    checkouts.record(50 * MS, 80 * MS);
    checkouts.record(20 * MS, 40 * MS);

    String report = Interference.report(StolenTime.WHAT, checkouts,
      List.of(new Interference.Span(100 * MS, 200 * MS)));

    assertEquals("checkouts that met time stolen by the host (a 100 ms slice with a fifth or more of the machine's "
      + "CPU stolen): 1.0%; p50 / p99 of the others 10.0 / 40.0 ms (p99 ÷ p50 4.00); of those at or over p99, 50% "
      + "met one", report);
  }
}
