package dev.sagashop.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GcLineTest {

  private static final String YOUNG =
    "action=\"end of minor GC\",cause=\"G1 Evacuation Pause\",gc=\"G1 Young Generation\"";
  private static final String REMARK = "action=\"end of GC pause\",cause=\"G1 Remark\",gc=\"G1 Concurrent GC\"";

  /** A scrape's pause histogram: per label set, pauses at most 10, 20 and 50 ms, the count, the sum and the max. */
  private static String scrape(long[] young, double youngSeconds, long[] remark, double remarkSeconds, double max) {
    return String.join("\n",
      "# HELP jvm_gc_pause_seconds Time spent in GC pause",
      "# TYPE jvm_gc_pause_seconds histogram",
      bucket(YOUNG, "0.01", young[0]), bucket(YOUNG, "0.02", young[1]), bucket(YOUNG, "0.05", young[2]),
      bucket(YOUNG, "+Inf", young[2]),
      "jvm_gc_pause_seconds_count{" + YOUNG + "} " + young[2],
      "jvm_gc_pause_seconds_sum{" + YOUNG + "} " + youngSeconds,
      bucket(REMARK, "0.01", remark[0]), bucket(REMARK, "0.02", remark[1]), bucket(REMARK, "0.05", remark[2]),
      bucket(REMARK, "+Inf", remark[2]),
      "jvm_gc_pause_seconds_count{" + REMARK + "} " + remark[2],
      "jvm_gc_pause_seconds_sum{" + REMARK + "} " + remarkSeconds,
      "# TYPE jvm_gc_pause_seconds_max gauge",
      "jvm_gc_pause_seconds_max{" + YOUNG + "} " + max,
      "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 1.2E8", "");
  }

  private static String bucket(String labels, String bound, long count) {
    return "jvm_gc_pause_seconds_bucket{" + labels + ",le=\"" + bound + "\"} " + count;
  }

  @Test
  @DisplayName("the window's longest pause is the bucket its pauses fill, not a longer one from before the window")
  void longestOfTheWindow() {
    // Before the window: a 40 ms young pause (still the registry's max) and a 15 ms remark.
    GcLine.Scrape before = GcLine.parse(scrape(new long[] {5, 5, 6}, 0.080, new long[] {0, 1, 1}, 0.015, 0.040));
    // In it: 4 young pauses of at most 10 ms, one of 10-20 ms, and a remark of at most 10 ms.
    GcLine.Scrape after = GcLine.parse(scrape(new long[] {9, 10, 11}, 0.120, new long[] {1, 2, 2}, 0.020, 0.040));

    assertEquals("gc pauses in the shop: 6, 45 ms in all, the longest 10–20 ms", GcLine.between(before, after));
  }

  @Test
  @DisplayName("a window without pauses, or a shop whose pauses have no buckets, is told by count and total alone")
  void countAndTotalAlone() {
    GcLine.Scrape scrape = GcLine.parse(scrape(new long[] {5, 5, 6}, 0.080, new long[] {0, 1, 1}, 0.015, 0.040));
    GcLine.Scrape noBuckets = GcLine.parse("jvm_gc_pause_seconds_count{" + YOUNG + "} 3\n"
      + "jvm_gc_pause_seconds_sum{" + YOUNG + "} 0.030\n");

    assertEquals("gc pauses in the shop: 0, 0 ms in all", GcLine.between(scrape, scrape));
    assertEquals("gc pauses in the shop: 3, 30 ms in all", GcLine.between(GcLine.parse(""), noBuckets));
  }

  @Test
  @DisplayName("a pause longer than the last bucket is told as over it")
  void overTheLastBucket() {
    GcLine.Scrape before = GcLine.parse(scrape(new long[] {0, 0, 0}, 0, new long[] {0, 0, 0}, 0, 0));
    // A 5 ms young pause, and a 120 ms remark: counted, and in none of the buckets up to 50 ms.
    GcLine.Scrape after = GcLine.parse(scrape(new long[] {1, 1, 1}, 0.005, new long[] {0, 0, 0}, 0.120, 0.120)
      .replace("jvm_gc_pause_seconds_count{" + REMARK + "} 0", "jvm_gc_pause_seconds_count{" + REMARK + "} 1"));

    assertEquals("gc pauses in the shop: 2, 125 ms in all, the longest over 50 ms", GcLine.between(before, after));
  }
}
