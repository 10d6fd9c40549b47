package dev.sagashop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkouts that met a pause of the shop's JVM: its safepoint log, written with wall-clock times
 * ({@code -Xlog:safepoint:file=FILE:time}), against each checkout's send time and latency. A checkout met a pause if
 * a safepoint of {@value #AT_LEAST_MS} ms or more fell inside it — whether the tail is the collector's.
 */
final class ShopPauses {

  static final int AT_LEAST_MS = 1;
  private static final Pattern SAFEPOINT = Pattern.compile("^\\[([^]]+)].*Safepoint \"\\w+\".*Total: (\\d+) ns");
  private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  /** One pause, in wall-clock microseconds. */
  record Pause(long fromMicros, long toMicros) {
  }

  private ShopPauses() {
  }

  static List<Pause> read(Path log) throws IOException {
    List<Pause> pauses = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      Matcher safepoint = SAFEPOINT.matcher(line);
      if (safepoint.find()) {
        long micros = Long.parseLong(safepoint.group(2)) / 1000;
        if (micros >= AT_LEAST_MS * 1000L) {
          long endMicros = endOf(safepoint.group(1), log) * 1000;
          pauses.add(new Pause(endMicros - micros, endMicros));
        }
      }
    }
    return pauses;
  }

  /** The wall-clock time of a log line, in epoch milliseconds. */
  private static long endOf(String decoration, Path log) {
    try {
      return OffsetDateTime.parse(decoration, LOG_TIME).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(log + " has no wall-clock times: write it with -Xlog:safepoint:file="
        + log + ":time", e);
    }
  }

  /**
   * "checkouts that met a pause of the shop ..." ({@link Interference#report});
   * {@code epochNanosAtZero}: the wall clock, in epoch nanoseconds, when {@code System.nanoTime} was 0.
   */
  static String report(Latencies checkouts, List<Pause> pauses, long epochNanosAtZero) {
    List<Interference.Span> spans = new ArrayList<>(pauses.size());
    for (Pause pause : pauses) {
      spans.add(new Interference.Span(pause.fromMicros() * 1000 - epochNanosAtZero,
        pause.toMicros() * 1000 - epochNanosAtZero));
    }
    return Interference.report("a pause of the shop (" + AT_LEAST_MS + " ms or more)", checkouts, spans);
  }
}
