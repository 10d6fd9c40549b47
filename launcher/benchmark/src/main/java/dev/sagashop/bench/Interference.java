package dev.sagashop.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Whether the tail is the shop's: the checkouts during which something outside their path happened (a pause of the
 * shop's JVM, CPU time the host took), how the others spread, and how many of the slowest percent met one.
 */
final class Interference {

  /** A stretch of {@code System.nanoTime}. */
  record Span(long fromNanos, long toNanos) {
  }

  private Interference() {
  }

  /**
   * "checkouts that met {@code what}: ...%; p50 / p99 of the others ... ms (p99 ÷ p50 ...); of those at or over p99,
   * ...% met one".
   */
  static String report(String what, Latencies checkouts, List<Span> spans) {
    int count = checkouts.count();
    if (count == 0) {
      return "checkouts that met " + what + ": no checkouts";
    }
    boolean[] met = new boolean[count];
    long[] others = new long[count];
    int metCount = 0;
    int otherCount = 0;
    for (int i = 0; i < count; i++) {
      long from = checkouts.sentAtNanos(i);
      long to = from + checkouts.nanos(i);
      for (Span span : spans) {
        if (span.fromNanos() < to && span.toNanos() > from) {
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
    String rest = "no others";
    if (otherCount > 0) {
      long[] restSorted = Arrays.copyOf(others, otherCount);
      Arrays.sort(restSorted);
      long restP50 = Latencies.quantile(restSorted, 0.50);
      long restP99 = Latencies.quantile(restSorted, 0.99);
      rest = String.format("p50 / p99 of the others %.1f / %.1f ms (p99 ÷ p50 %.2f)", restP50 / 1e6, restP99 / 1e6,
        (double) restP99 / restP50);
    }
    return String.format("checkouts that met %s: %.1f%%; %s; of those at or over p99, %.0f%% met one", what,
      100.0 * metCount / count, rest, 100.0 * slowestMet / slowest);
  }
}
