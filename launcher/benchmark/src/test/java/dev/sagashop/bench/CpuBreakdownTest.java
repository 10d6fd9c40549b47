package dev.sagashop.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuBreakdownTest {

  private final CpuBreakdown breakdown = CpuBreakdown.of(List.of(ProcessHandle.current().pid()), 0);

  @Test
  @DisplayName("a window's CPU is split per checkout by component, and its run-queue wait per checkout and on average")
  void reportsPerCheckout() {
    // 2 s of window: 1 s of event loops and 2 s of the whole machine (in 10 ms ticks), 0.5 s stolen by the host, 5 s
    // of threads waiting.
    CpuBreakdown.Snapshot before = new CpuBreakdown.Snapshot(Map.of("event loops", 0L), 0, 7, 0, 1_000_000_000L);
    CpuBreakdown.Snapshot after = new CpuBreakdown.Snapshot(Map.of("event loops", 100L), 200, 57, 5_000_000_000L,
      3_000_000_000L);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    breakdown.report(before, after, 1000, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertEquals(List.of(
        "machine CPU per checkout: 2.00 ms (event loops 1.00, rest of machine 1.00)",
        "stolen by the host: 0.50 ms per checkout (not counted above)",
        "waiting for a CPU: 5.00 ms per checkout; 2.5 threads ready to run but not running, on average"),
      printed.toString(StandardCharsets.UTF_8).lines().toList());
  }

  @Test
  @DisplayName("the Mongo driver's transport threads count as the driver on JDK 17 and on JDK 25, which names them apart")
  void namesTheDriversTransport() {
    assertEquals("mongo driver", CpuBreakdown.component("Thread-3"));
    assertEquals("mongo driver", CpuBreakdown.component("InnocuousThread"));
    assertEquals("mongo driver", CpuBreakdown.component("AsyncGetter-3-t"));
    assertEquals("shop other", CpuBreakdown.component("Common-Cleaner"));
  }

  @Test
  @DisplayName("a thread that ends takes its CPU along: the process's counter keeps it, as the ended threads'")
  void countsEndedThreads() throws InterruptedException {
    Path self = Path.of("/proc", String.valueOf(ProcessHandle.current().pid()));
    Assumptions.assumeTrue(Files.isReadable(self.resolve("task")), "no /proc here");
    Map<String, Long> before = new HashMap<>();
    CpuBreakdown.threads(self, before);
    Thread burner = new Thread(() -> {
      ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
      while (cpu.getCurrentThreadCpuTime() < 300_000_000L) {
        Thread.onSpinWait();
      }
    });
    burner.start();
    burner.join();
    Map<String, Long> after = new HashMap<>();
    CpuBreakdown.threads(self, after);

    // 300 ms of CPU is 30 ticks. Each thread's counter is rounded to ticks on its own, the process's once, so the
    // difference moves by a few ticks either way (26 seen in a CI run); without the ended threads it would not move.
    long ended = after.get(CpuBreakdown.ENDED) - before.get(CpuBreakdown.ENDED);
    assertTrue(ended >= 20, "ended threads' ticks grew by " + ended);
  }

  @Test
  @DisplayName("the counters are read from this machine's /proc: they only grow")
  void readsTheMachine() throws InterruptedException {
    CpuBreakdown.Snapshot before = breakdown.take();
    Thread.sleep(50);
    CpuBreakdown.Snapshot after = breakdown.take();

    assertTrue(after.machineBusy() >= before.machineBusy() && after.stolen() >= before.stolen()
      && after.waitNanos() >= before.waitNanos()
      && after.atNanos() > before.atNanos(), before + " then " + after);
    assertTrue(after.ticks().containsKey("generator"), "this process counted as the generator: " + after.ticks());
  }
}
