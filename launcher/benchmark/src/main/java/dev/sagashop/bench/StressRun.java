package dev.sagashop.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.sagashop.bench.ShopClient.Reply;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The stress run: batch_init items, users and orders, then closed-loop checkouts at a given concurrency for a given
 * time. By default each order is checked out once (a shuffled walk over the ids), so every checkout runs a saga;
 * with replacement (as the WDM load generator does), repeats of paid orders answer 200 at once and flatter the rate.
 */
final class StressRun {

  private final Vertx vertx;
  private final ShopClient shop;
  private final PrintStream out;
  private final CpuBreakdown cpu;

  StressRun(Vertx vertx, ShopClient shop, CpuBreakdown cpu, PrintStream out) {
    this.vertx = vertx;
    this.shop = shop;
    this.cpu = cpu;
    this.out = out;
  }

  void initialize(int records) {
    for (String route : new String[] {"/stock/batch_init/" + records + "/1000000000/1",
      "/payment/batch_init/" + records + "/1000000000", "/orders/batch_init/" + records + "/" + records + "/" + records
      + "/1"}) {
      long started = System.nanoTime();
      Reply reply = shop.await(shop.post(route));
      if (!reply.ok()) {
        throw new IllegalStateException(route + " failed: " + reply.status() + " " + reply.body());
      }
      out.printf("%s: %.2f s%n", route, (System.nanoTime() - started) / 1e9);
    }
  }

  /**
   * @param pauseLog the shop's safepoint log with wall-clock times, or null
   * @param latencyFile where to write each measured checkout's send time and latency, or null
   */
  void run(int records, int concurrency, Duration warmup, Duration duration, boolean withReplacement, Path pauseLog,
    Path latencyFile) throws IOException {
    int[] ids = new int[records];
    for (int i = 0; i < records; i++) {
      ids[i] = i;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = records - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = ids[i];
      ids[i] = ids[j];
      ids[j] = swap;
    }
    out.printf("closed loop: %d concurrent checkouts, %s warm-up, %s measured, orders %s%n", concurrency,
      warmup, duration, withReplacement ? "drawn at random (repeats answer at once)" : "each checked out once");
    Loop loop = new Loop(ids, concurrency, withReplacement);
    Promise<Void> done = Promise.promise();
    Context context = vertx.getOrCreateContext();
    long cpuBefore = cpuNanos();
    context.runOnContext(start -> loop.start(warmup, duration, done));
    done.future().await();
    double cpuSeconds = (cpuNanos() - cpuBefore) / 1e9;
    double seconds = duration.toMillis() / 1000.0;
    out.printf("checkouts: %d in %.1f s = %.0f/s%n", loop.latencies.count(), seconds, loop.latencies.count() / seconds);
    out.printf("status: %s%s%n", loop.statuses, loop.wrapped ? " (ran out of orders: later ones were repeats)" : "");
    out.printf("latency: %s%n", loop.latencies.summary());
    // The generator usually shares the machine with the shop: what it took is what the shop did not get.
    double loopSeconds = (warmup.toMillis() + duration.toMillis()) / 1000.0;
    out.printf("load generator: %.1f cpu-s in the %.0f s loop (%.0f%% of one core)%n", cpuSeconds, loopSeconds,
      100 * cpuSeconds / loopSeconds);
    if (loop.cpuAtStart != null && loop.cpuAtEnd != null) {
      cpu.report(loop.cpuAtStart, loop.cpuAtEnd, loop.latencies.count(), out);
      out.println(Interference.report(StolenTime.WHAT, loop.latencies, loop.stolenTime.stolen()));
    }
    if (loop.gcAtStart != null && loop.gcAtEnd != null) {
      out.println(GcLine.between(loop.gcAtStart, loop.gcAtEnd));
    }
    long epochNanosAtZero = ChronoUnit.NANOS.between(Instant.EPOCH, Instant.now()) - System.nanoTime();
    if (pauseLog != null) {
      out.println(ShopPauses.report(loop.latencies, ShopPauses.read(pauseLog), epochNanosAtZero));
    }
    if (latencyFile != null) {
      loop.latencies.write(latencyFile, epochNanosAtZero);
      out.printf("latencies of the %d checkouts: %s%n", loop.latencies.count(), latencyFile);
    }
  }

  private static long cpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Closed-loop workers on one event loop, each sending its next checkout when the previous one is answered. */
  private final class Loop {
    private final int[] ids;
    private final int concurrency;
    private final boolean withReplacement;
    private final Latencies latencies = new Latencies();
    private final Map<String, Integer> statuses = new TreeMap<>();
    private final StolenTime stolenTime = new StolenTime(CpuBreakdown::machineTicks);
    private int next;
    private boolean wrapped;
    private boolean measuring;
    private long stopAt;
    private int running;
    private Promise<Void> done;
    private CpuBreakdown.Snapshot cpuAtStart;
    private CpuBreakdown.Snapshot cpuAtEnd;
    private GcLine.Scrape gcAtStart;
    private GcLine.Scrape gcAtEnd;

    Loop(int[] ids, int concurrency, boolean withReplacement) {
      this.ids = ids;
      this.concurrency = concurrency;
      this.withReplacement = withReplacement;
    }

    void start(Duration warmup, Duration duration, Promise<Void> done) {
      this.done = done;
      long now = System.nanoTime();
      stopAt = now + warmup.toNanos() + duration.toNanos();
      vertx.setTimer(Math.max(1, warmup.toMillis()), timer -> {
        measuring = true;
        window(snapshot -> cpuAtStart = snapshot, scrape -> gcAtStart = scrape);
        if (cpu.available()) {
          stolenTime.watch(vertx, stopAt);
        }
      });
      vertx.setTimer(Math.max(1, warmup.toMillis() + duration.toMillis()),
        timer -> window(snapshot -> cpuAtEnd = snapshot, scrape -> gcAtEnd = scrape));
      running = concurrency;
      for (int i = 0; i < concurrency; i++) {
        send();
      }
    }

    /** The CPU counters and the shop's GC figures at one end of the measured window. */
    private void window(Consumer<CpuBreakdown.Snapshot> cpuSnapshot, Consumer<GcLine.Scrape> gcScrape) {
      if (cpu.available()) {
        cpuSnapshot.accept(cpu.take());
      }
      shop.getText("/metrics").onSuccess(text -> gcScrape.accept(GcLine.parse(text)));
    }

    private void send() {
      if (System.nanoTime() >= stopAt) {
        if (--running == 0) {
          done.complete();
        }
        return;
      }
      int id;
      if (withReplacement) {
        id = ids[ThreadLocalRandom.current().nextInt(ids.length)];
      } else {
        if (next == ids.length) {
          next = 0;
          wrapped = true;
        }
        id = ids[next++];
      }
      boolean counted = measuring;
      long sent = System.nanoTime();
      shop.postForStatus("/orders/checkout/" + id).onComplete(reply -> {
        if (counted && System.nanoTime() < stopAt) {
          latencies.record(sent, System.nanoTime() - sent);
          statuses.merge(reply.succeeded() ? Integer.toString(reply.result())
            : reply.cause().getClass().getSimpleName(), 1, Integer::sum);
        }
        send();
      });
    }
  }
}
