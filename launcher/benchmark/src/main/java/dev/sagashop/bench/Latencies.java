package dev.sagashop.bench;

import java.util.Arrays;

/** Recorded latencies (nanoseconds) and their percentiles. Single-threaded: the bench records on one event loop. */
final class Latencies {

  private long[] samples = new long[1 << 16];
  private int count;

  void record(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, samples.length * 2);
    }
    samples[count++] = nanos;
  }

  int count() {
    return count;
  }

  /** "p50 12.3 ms  p95 ...  p99 ...  max ..." */
  String summary() {
    if (count == 0) {
      return "no samples";
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    return String.format("p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms", ms(sorted, 0.50), ms(sorted, 0.95),
      ms(sorted, 0.99), sorted[count - 1] / 1e6);
  }

  private double ms(long[] sorted, double quantile) {
    return sorted[Math.min(count - 1, (int) Math.ceil(quantile * count) - 1)] / 1e6;
  }
}
