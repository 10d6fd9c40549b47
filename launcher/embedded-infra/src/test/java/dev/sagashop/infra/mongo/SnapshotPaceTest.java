package dev.sagashop.infra.mongo;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A snapshot's writing spread over time, on a clock the test moves: a sleep moves it on by as long. */
class SnapshotPaceTest {

  private static final long MB = 1L << 20;

  @TempDir
  Path dir;
  private long now = 1_000;
  private final List<Long> sleeps = new ArrayList<>();

  private SnapshotPace pace(long bytesPerSecond) {
    return SnapshotPace.of(bytesPerSecond, () -> now, nanos -> {
      sleeps.add(nanos);
      now += nanos;
    });
  }

  private FileChannel file() throws Exception {
    return FileChannel.open(dir.resolve("snapshot"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  @Test
  @DisplayName("written faster than its pace, a snapshot waits until it is on time again")
  void waitsWhileAhead() throws Exception {
    SnapshotPace pace = pace(MB);
    try (FileChannel out = file()) {
      pace.begin();
      for (int i = 0; i < 16; i++) {
        pace.wrote(out, 64 * 1024);
      }
    }
    assertEquals(TimeUnit.SECONDS.toNanos(1), now - 1_000, "16 × 64 KB at 1 MB/s take a second");
    assertEquals(16, sleeps.size());
  }

  @Test
  @DisplayName("time spent writing counts toward the pace, and waits too short to be worth a wake-up add up first")
  void slowWritesDoNotWait() throws Exception {
    SnapshotPace pace = pace(MB);
    try (FileChannel out = file()) {
      pace.begin();
      now += TimeUnit.MILLISECONDS.toNanos(1_000);
      pace.wrote(out, MB);
      assertTrue(sleeps.isEmpty(), "a megabyte that took a second is on time");
      pace.wrote(out, 1024);
      assertTrue(sleeps.isEmpty(), "a kilobyte ahead is a millisecond: not worth a wake-up");
      pace.wrote(out, 2048);
      assertEquals(List.of(2_929_687L), sleeps, "three kilobytes ahead are");
    }
  }

  @Test
  @DisplayName("a snapshot hurried because the server stops, or written at once, never waits")
  void hurriedOrAtOnceNeverWaits() throws Exception {
    SnapshotPace pace = pace(MB);
    try (FileChannel out = file()) {
      pace.begin();
      pace.wrote(out, MB);
      pace.hurry();
      pace.wrote(out, 100 * MB);
      SnapshotPace.atOnce().wrote(out, 100 * MB);
    }
    assertEquals(1, sleeps.size(), "only the megabyte before the hurry waited");
  }
}
