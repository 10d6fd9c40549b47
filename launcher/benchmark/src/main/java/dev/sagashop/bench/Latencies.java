package dev.sagashop.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Recorded checkouts: when each was sent ({@code System.nanoTime}) and its latency (nanoseconds), and their
 * percentiles. Single-threaded: the bench records on one event loop.
 */
final class Latencies {

  private long[] samples = new long[1 << 16];
  private long[] sentAtNanos = new long[1 << 16];
  private int count;

  void record(long sentAtNanos, long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, samples.length * 2);
      this.sentAtNanos = Arrays.copyOf(this.sentAtNanos, samples.length);
    }
    this.sentAtNanos[count] = sentAtNanos;
    samples[count++] = nanos;
  }

  int count() {
    return count;
  }

  long nanos(int index) {
    return samples[index];
  }

  long sentAtNanos(int index) {
    return sentAtNanos[index];
  }

  /**
   * Writes one line per checkout, "sent_epoch_us,latency_us", for laying the slow ones against the shop's log;
   * {@code epochNanosAtZero}: the wall clock, in epoch nanoseconds, when {@code System.nanoTime} was 0.
   */
  void write(Path file, long epochNanosAtZero) throws IOException {
    try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(file))) {
      writer.println("sent_epoch_us,latency_us");
      for (int i = 0; i < count; i++) {
        writer.print((epochNanosAtZero + sentAtNanos[i]) / 1000);
        writer.print(',');
        writer.println(samples[i] / 1000);
      }
    }
  }

  /** "p50 12.3 ms  p95 ...  p99 ...  max ..." */
  String summary() {
    if (count == 0) {
      return "no samples";
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    return String.format("p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms", quantile(sorted, 0.50) / 1e6,
      quantile(sorted, 0.95) / 1e6, quantile(sorted, 0.99) / 1e6, sorted[count - 1] / 1e6);
  }

  /** The {@code quantile} of {@code sorted} values (nearest rank). */
  static long quantile(long[] sorted, double quantile) {
    return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1))];
  }
}
