package dev.sagashop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkouts that met a pause of the shop's JVM: its safepoint log, written with wall-clock times
 * ({@code -Xlog:safepoint:file=FILE:time}), against each checkout's send time and latency. A checkout met a pause if
 * a safepoint of {@value #AT_LEAST_MS} ms or more fell inside it; the report says how many did, how the rest spread,
 * and how many of the slowest percent did — whether the tail is the collector's.
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
   * "checkouts that met a pause of the shop: ...; p99 of the others ...; of those at or over p99, ... met one";
   * {@code epochNanosAtZero}: the wall clock, in epoch nanoseconds, when {@code System.nanoTime} was 0.
   */
  static String report(Latencies checkouts, List<Pause> pauses, long epochNanosAtZero) {
    int count = checkouts.count();
    if (count == 0) {
      return "checkouts that met a pause of the shop: no checkouts";
    }
    boolean[] met = new boolean[count];
    long[] others = new long[count];
    int metCount = 0;
    int otherCount = 0;
    for (int i = 0; i < count; i++) {
      long from = (epochNanosAtZero + checkouts.sentAtNanos(i)) / 1000;
      long to = from + checkouts.nanos(i) / 1000;
      for (Pause pause : pauses) {
        if (pause.fromMicros() < to && pause.toMicros() > from) {
          met[i] = true;
          break;
        }
      }
      if (met[i]) {
        metCount++;
      } else {
        others[otherCount++] = checkouts.nanos(i);
      }
    }
    long[] sorted = new long[count];
    for (int i = 0; i < count; i++) {
      sorted[i] = checkouts.nanos(i);
    }
    Arrays.sort(sorted);
    long p99 = Latencies.quantile(sorted, 0.99);
    int slowest = 0;
    int slowestMet = 0;
    for (int i = 0; i < count; i++) {
      if (checkouts.nanos(i) >= p99) {
        slowest++;
        slowestMet += met[i] ? 1 : 0;
      }
    }
    long[] rest = Arrays.copyOf(others, otherCount);
    Arrays.sort(rest);
    return String.format("checkouts that met a pause of the shop (%d ms or more): %.1f%%; p50 / p99 of the others "
        + "%.1f / %.1f ms; of those at or over p99, %.0f%% met one", AT_LEAST_MS, 100.0 * metCount / count,
      otherCount == 0 ? 0 : Latencies.quantile(rest, 0.50) / 1e6, otherCount == 0 ? 0 : Latencies.quantile(rest, 0.99) / 1e6,
      100.0 * slowestMet / slowest);
  }
}
