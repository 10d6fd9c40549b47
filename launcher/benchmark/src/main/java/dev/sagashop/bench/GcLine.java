package dev.sagashop.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * The shop's garbage-collection pauses over the measured window, from two scrapes of its {@code /metrics}
 * ({@code jvm_gc_pause_seconds_count}, {@code _sum} and the histogram's {@code _bucket}s). The longest pause is told
 * as the bucket it fell in, from the buckets' counts over the window: Micrometer's {@code _max} is the longest of the
 * last two minutes or so, which reaches back before a window of a minute and names pauses it does not hold.
 */
final class GcLine {

  /** The pause figures of one scrape, summed over collectors and causes: pauses at most each bucket's bound. */
  record Scrape(long count, double seconds, Map<Double, Long> atMost) {
  }

  private GcLine() {
  }

  static Scrape parse(String metrics) {
    long count = 0;
    double seconds = 0;
    Map<Double, Long> atMost = new TreeMap<>();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
      double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      switch (name) {
        case "jvm_gc_pause_seconds_count" -> count += (long) value;
        case "jvm_gc_pause_seconds_sum" -> seconds += value;
        case "jvm_gc_pause_seconds_bucket" -> {
          String bound = label(line, "le");
          if (!bound.equals("+Inf")) {
            atMost.merge(Double.parseDouble(bound), (long) value, Long::sum);
          }
        }
        default -> {
        }
      }
    }
    return new Scrape(count, seconds, atMost);
  }

  static String between(Scrape before, Scrape after) {
    long count = after.count() - before.count();
    String line = String.format("gc pauses in the shop: %d, %.0f ms in all", count,
      1000 * (after.seconds() - before.seconds()));
    if (count == 0 || after.atMost().isEmpty()) {
      return line;
    }
    double below = 0;
    for (Map.Entry<Double, Long> bucket : after.atMost().entrySet()) {
      long inWindow = bucket.getValue() - before.atMost().getOrDefault(bucket.getKey(), 0L);
      if (inWindow == count) {
        return line + String.format(", the longest %s–%s ms", millis(below), millis(bucket.getKey()));
      }
      below = bucket.getKey();
    }
    return line + String.format(", the longest over %s ms", millis(below));
  }

  private static String label(String line, String name) {
    int from = line.indexOf(name + "=\"") + name.length() + 2;
    return line.substring(from, line.indexOf('"', from));
  }

  private static String millis(double seconds) {
    return String.format("%.0f", seconds * 1000);
  }
}
