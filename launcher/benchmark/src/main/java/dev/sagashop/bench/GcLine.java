package dev.sagashop.bench;

/**
 * The shop's garbage-collection pauses over the measured window, from two scrapes of its {@code /metrics}
 * ({@code jvm_gc_pause_seconds_count}, {@code _sum}, and {@code _max}: the longest pause of the last minute).
 */
final class GcLine {

  /** The pause figures of one scrape, summed over collectors (the max: the largest). */
  record Scrape(long count, double seconds, double maxSeconds) {
  }

  private GcLine() {
  }

  static Scrape parse(String metrics) {
    long count = 0;
    double seconds = 0;
    double max = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
      double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      switch (name) {
        case "jvm_gc_pause_seconds_count" -> count += (long) value;
        case "jvm_gc_pause_seconds_sum" -> seconds += value;
        case "jvm_gc_pause_seconds_max" -> max = Math.max(max, value);
        default -> {
        }
      }
    }
    return new Scrape(count, seconds, max);
  }

  static String between(Scrape before, Scrape after) {
    return String.format("gc pauses in the shop: %d, %.0f ms in all, longest of the last minute %.0f ms",
      after.count() - before.count(), 1000 * (after.seconds() - before.seconds()), 1000 * after.maxSeconds());
  }
}
