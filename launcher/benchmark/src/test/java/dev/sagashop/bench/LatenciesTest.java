package dev.sagashop.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatenciesTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("the latency file has a line per checkout: when it was sent on the wall clock, and how long it took")
  void writesOneLinePerCheckout() throws Exception {
    Latencies checkouts = new Latencies();
    checkouts.record(5_000_000L, 12_345_678L);
    checkouts.record(7_900_000L, 60_000_000L);
    Path file = dir.resolve("latencies.csv");

    checkouts.write(file, 1_800_000_000_000_000_000L);

    assertEquals(List.of("sent_epoch_us,latency_us", "1800000000005000,12345", "1800000000007900,60000"),
      Files.readAllLines(file));
  }

  @Test
  @DisplayName("percentiles are nearest-rank over every recorded checkout, past the first array's size")
  void summarizesBeyondTheFirstArray() {
    Latencies checkouts = new Latencies();
    for (int i = 1; i <= 100_000; i++) {
      checkouts.record(i, i * 1_000_000L);
    }

    assertEquals(100_000, checkouts.count());
    assertEquals("p50 50000.0 ms  p95 95000.0 ms  p99 99000.0 ms  max 100000.0 ms", checkouts.summary());
  }
}
