package dev.sagashop.gateway;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The JVM's stop-the-world collection pauses, as the JVM reports them: how many, how long in all, and the longest
 * of the last minute. One per JVM, listening from first use; concurrent collector cycles are not pauses.
 */
final class GcPauses {

  private static final long WINDOW_MS = 60_000;
  private static final GcPauses JVM = new GcPauses();

  private long count;
  private double seconds;
  /** Pauses of the last minute: [end time ms, duration ms]. */
  private final Deque<long[]> recent = new ArrayDeque<>();

  private GcPauses() {
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (collector instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            GarbageCollectionNotificationInfo info =
              GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            if (!info.getGcName().contains("Cycles") && !info.getGcName().contains("Concurrent")) {
              record(info.getGcInfo().getDuration());
            }
          }
        }, null, null);
      }
    }
  }

  static GcPauses jvm() {
    return JVM;
  }

  private synchronized void record(long millis) {
    long now = System.currentTimeMillis();
    count++;
    seconds += millis / 1000.0;
    recent.addLast(new long[] {now, millis});
  }

  /** The pauses in the Prometheus text format. */
  synchronized void appendTo(StringBuilder text) {
    long now = System.currentTimeMillis();
    while (!recent.isEmpty() && recent.peekFirst()[0] < now - WINDOW_MS) {
      recent.pollFirst();
    }
    long max = recent.stream().mapToLong(pause -> pause[1]).max().orElse(0);
    text.append("# HELP jvm_gc_pause_seconds Stop-the-world garbage collection pauses (max: of the last minute).\n")
      .append("# TYPE jvm_gc_pause_seconds summary\n")
      .append("jvm_gc_pause_seconds_count ").append(count).append('\n')
      .append("jvm_gc_pause_seconds_sum ").append(seconds).append('\n')
      .append("jvm_gc_pause_seconds_max ").append(max / 1000.0).append('\n');
  }
}
