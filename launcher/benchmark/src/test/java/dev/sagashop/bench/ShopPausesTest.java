package dev.sagashop.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShopPausesTest {

  private static final long T0 = Instant.parse("2026-12-06T01:00:00Z").toEpochMilli() * 1000;

  @TempDir
  Path dir;

  @Test
  @DisplayName("a safepoint log in wall-clock time gives the pauses of 1 ms or more, ending at the line's time")
  void readsTheLog() throws Exception {
    Path log = dir.resolve("gc.log");
    Files.writeString(log, """
      [2026-12-06T01:00:00.100+0000][5000ms] Safepoint "G1CollectForAllocation", Time since last: 2 ns, Reaching safepoint: 9 ns, Cleanup: 1 ns, At safepoint: 40000000 ns, Total: 40000010 ns
      [2026-12-06T01:00:00.200+0000][5100ms] Safepoint "Cleanup", Time since last: 1 ns, Reaching safepoint: 8 ns, Cleanup: 2 ns, At safepoint: 3 ns, Total: 30580 ns
      [2026-12-06T01:00:00.300+0000][5200ms] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 1715M->705M(1944M) 12.372ms
      """);

    assertEquals(List.of(new ShopPauses.Pause(T0 + 100_000 - 40_000, T0 + 100_000)), ShopPauses.read(log));
  }

  @Test
  @DisplayName("a log without wall-clock times is refused with how to write one")
  void refusesUptimes() throws Exception {
    Path log = dir.resolve("uptime.log");
    Files.writeString(log, "[5000ms] Safepoint \"Cleanup\", Time since last: 1 ns, Total: 3000000 ns\n");

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ShopPauses.read(log));
    assertTrue(refused.getMessage().endsWith(":time"), refused.getMessage());
  }

  @Test
  @DisplayName("checkouts are told apart by whether a pause fell inside them, and the slowest percent by the same")
  void reportsWhoMetAPause() {
    Latencies checkouts = new Latencies();
    // 98 quick checkouts clear of the pause, then two slow ones across it.
    for (int i = 0; i < 98; i++) {
      checkouts.record((T0 + 200_000 + i * 1_000L) * 1000, 10_000_000L);
    }
    checkouts.record((T0 + 50_000) * 1000, 80_000_000L);
    checkouts.record((T0 + 55_000) * 1000, 90_000_000L);

    String report = ShopPauses.report(checkouts, List.of(new ShopPauses.Pause(T0 + 60_000, T0 + 100_000)), 0);

    assertEquals("checkouts that met a pause of the shop (1 ms or more): 2.0%; p50 / p99 of the others 10.0 / 10.0 ms"
      + " (p99 ÷ p50 1.00); of those at or over p99, 100% met one", report);
  }
}
