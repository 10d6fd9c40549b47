package dev.sagashop.launcher;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What counts as a process working, for keeping a recorded AOT cache. */
class BusyTimeTest {

  private static final Duration WINDOW = Duration.ofMillis(200);

  @Test
  @DisplayName("a process that spins on a core is busy, one that waits is not")
  void spinningCountsWaitingDoesNot() throws Exception {
    Process spinning = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    Process waiting = new ProcessBuilder("sleep", "30").start();
    try {
      BusyTime spun = BusyTime.of(spinning.toHandle(), WINDOW);
      BusyTime waited = BusyTime.of(waiting.toHandle(), WINDOW);
      Thread.sleep(WINDOW.multipliedBy(12).toMillis());
      assertTrue(spun.busy().compareTo(WINDOW.multipliedBy(3)) >= 0, () -> "busy for " + spun.busy());
      assertEquals(Duration.ZERO, waited.busy());
    } finally {
      spinning.destroyForcibly();
      waiting.destroyForcibly();
    }
  }
}
