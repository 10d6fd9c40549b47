package dev.sagashop.bench;

import dev.sagashop.bench.ShopClient.Reply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sagashop.bench.ShopClient.inBatches;

/**
 * The fault suite's engine, shared by the tests and {@code bench chaos}: a steady checkout load of mixed successes
 * and refusals against shop processes, a fault struck mid-load (SIGKILL a process and start it again, or freeze
 * one with SIGSTOP and let it go on), then how soon checkouts were decided again and the {@link Invariants}.
 */
public final class ChaosRun {

  /**
   * What one fault did: checkouts in flight when it struck, what clients were told in the end, how many orders were
   * left unsettled when the load stopped (settled by a re-checkout), and the 503 answers while it lasted (retried,
   * so one order may have several), with how many came within a second: refused at once rather than after a
   * deadline; how long after the recovery (the restarted process ready, or the frozen one let go) the first checkout
   * sent from then on was decided, 2xx or 4xx (-1: none was); the longest a checkout sent after the fault struck
   * waited for its 2xx or 4xx (one that landed on a dead replica's partitions waits for them to move). Then what
   * broke (nothing, we hope).
   */
  public record Report(String fault, int inFlightAtFault, int told2xx, int told4xx, int unsettled, int told503,
                       int fast503, long decidedAfterMs, long slowestAfterFaultMs, List<String> violations) {
    public boolean consistent() {
      return violations.isEmpty();
    }

    @Override
    public String toString() {
      return String.format("%-8s in flight at fault %3d | told 2xx %4d, 4xx %4d, unsettled %3d | 503 answers %4d "
          + "(%4d within 1 s) | decided again %5d ms after recovery | slowest since the fault %5d ms | %s", fault,
        inFlightAtFault, told2xx, told4xx, unsettled, told503, fast503, decidedAfterMs, slowestAfterFaultMs,
        violations.isEmpty() ? "invariants hold"
          : violations.size() + " VIOLATIONS: " + String.join("; ", violations.subList(0, Math.min(5, violations.size()))));
    }
  }

  private static final int CONCURRENCY = 16;

  private final Vertx vertx;
  private final ShopProcesses shop;
  private final PrintStream out;
  private final Random random = new Random();
  /** When the current fault's recovery happened (nanoTime); checkouts sent from then on count for decidedAfterMs. */
  private volatile long recoveredAt = Long.MAX_VALUE;
  private final AtomicLong decidedAfterMs = new AtomicLong(-1);
  /** When the current fault struck (nanoTime); checkouts sent from then on count for slowestAfterFaultMs. */
  private volatile long struckAt = Long.MAX_VALUE;
  private final AtomicLong slowestAfterFaultMs = new AtomicLong();

  public ChaosRun(Vertx vertx, ShopProcesses shop, PrintStream out) {
    this.vertx = vertx;
    this.shop = shop;
    this.out = out;
  }

  /**
   * Loads the shop for {@code before}, SIGKILLs {@code victim}, leaves it dead for {@code down}, starts it again, waits
   * until it is up and the shop is ready, and goes on loading it for {@code after}; then checks the invariants over
   * fresh records. The load spans the recovery, so what the shop decides once the victim is back is part of what is
   * checked — where a replica survived, the shop is ready before the victim is back, so readiness alone would not do.
   */
  public Report killAndRestart(String victim, Duration before, Duration down, Duration after) throws Exception {
    return underFault(victim, before, down, after, () -> shop.kill(victim), () -> restart(victim));
  }

  /**
   * Loads the shop for {@code before}, SIGKILLs {@code victim} and goes on loading it for {@code after} without it:
   * the survivors take over alone (a replica of each role must be left). The recovery counts from the kill.
   * Afterwards the victim is started again, outside the measured window, and is up before the next fault.
   */
  public Report killForGood(String victim, Duration before, Duration after) throws Exception {
    Report report = underFault(victim + " gone", before, Duration.ZERO, after, () -> shop.kill(victim), () -> {
    });
    restart(victim);
    return report;
  }

  private void restart(String victim) throws Exception {
    shop.start(victim);
    shop.awaitUp(victim, Duration.ofSeconds(120));
    shop.awaitReady(vertx, Duration.ofSeconds(120));
  }

  /**
   * Loads the shop for {@code before}, freezes {@code victim} (SIGSTOP: it hangs, its sockets stay open) for
   * {@code frozen}, lets it go on (SIGCONT) and loads the shop for {@code after}; then checks the invariants.
   */
  public Report freezeAndThaw(String victim, Duration before, Duration frozen, Duration after) throws Exception {
    return underFault(victim + " frozen", before, frozen, after, () -> shop.freeze(victim), () -> shop.thaw(victim));
  }

  /** A step of a fault, which may throw. */
  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  private Report underFault(String fault, Duration before, Duration down, Duration after, Step strike,
                            Step recover) throws Exception {
    recoveredAt = Long.MAX_VALUE;
    struckAt = Long.MAX_VALUE;
    decidedAfterMs.set(-1);
    slowestAfterFaultMs.set(0);
    Instant began = Instant.now();
    Gateways client = new Gateways(vertx, shop.urls(), CONCURRENCY * 2, 30_000);
    try {
      Records records = Records.create(client.live(), random, 10, 150, 600);
      Map<String, Integer> told = new ConcurrentHashMap<>();
      List<Long> refusals = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger inFlight = new AtomicInteger();
      List<String> queue = Collections.synchronizedList(new ArrayList<>(records.orders.keySet()));
      Collections.shuffle(queue, random);
      AtomicBoolean stopped = new AtomicBoolean();
      List<Future<Void>> workers = new ArrayList<>();
      for (int i = 0; i < CONCURRENCY; i++) {
        workers.add(worker(client, queue, told, refusals, inFlight, stopped));
      }
      Thread.sleep(before.toMillis());
      int atFault = inFlight.get();
      struckAt = System.nanoTime();
      strike.run();
      // The workers may all be waiting on checkouts the outage holds up; fresh checkouts, one every 250 ms,
      // see how the shop answers meanwhile.
      List<Future<Integer>> probed = Collections.synchronizedList(new ArrayList<>());
      long probes = vertx.setPeriodic(250, tick -> {
        String order = take(queue, stopped);
        if (order != null) {
          probed.add(checkout(client, order, told, refusals, inFlight));
        }
      });
      Thread.sleep(down.toMillis());
      vertx.cancelTimer(probes);
      recover.run();
      recoveredAt = System.nanoTime();
      Thread.sleep(after.toMillis());
      stopped.set(true);
      Future.join(workers).await();
      Future.join(List.copyOf(probed)).await();
      return check(fault, client.live(), records, told, refusals, atFault, began);
    } finally {
      client.close();
    }
  }

  private Future<Void> worker(Gateways client, List<String> queue, Map<String, Integer> told, List<Long> refusals,
                              AtomicInteger inFlight, AtomicBoolean stopped) {
    Promise<Void> done = Promise.promise();
    next(client, take(queue, stopped), queue, told, refusals, inFlight, stopped, done);
    return done.future();
  }

  private void next(Gateways client, String order, List<String> queue, Map<String, Integer> told,
                    List<Long> refusals, AtomicInteger inFlight, AtomicBoolean stopped, Promise<Void> done) {
    if (order == null) {
      done.complete();
      return;
    }
    checkout(client, order, told, refusals, inFlight).onComplete(answered -> {
      if (answered.result() >= 500 || answered.result() == 0) {
        // The shop is down or restarting: retry the same order, as a client would, without spinning; an outage
        // then does not use up the orders meant for after the recovery. Left unanswered when the load stops,
        // its outcome is settled by check.
        vertx.setTimer(200, tick -> next(client, stopped.get() ? null : order, queue, told, refusals, inFlight,
          stopped, done));
      } else {
        next(client, take(queue, stopped), queue, told, refusals, inFlight, stopped, done);
      }
    });
  }

  private static String take(List<String> queue, AtomicBoolean stopped) {
    synchronized (queue) {
      return !stopped.get() && !queue.isEmpty() ? queue.remove(queue.size() - 1) : null;
    }
  }

  /** Checks an order out and records what the client was told (0: no answer); completes with that status. */
  private Future<Integer> checkout(Gateways client, String order, Map<String, Integer> told,
                                   List<Long> refusals, AtomicInteger inFlight) {
    inFlight.incrementAndGet();
    long began = System.nanoTime();
    return client.post("/orders/checkout/" + order).transform(reply -> {
      inFlight.decrementAndGet();
      int status = reply.succeeded() ? reply.result().status() : 0;
      told.put(order, status);
      if (status == 503) {
        refusals.add((System.nanoTime() - began) / 1_000_000);
      }
      long recovered = recoveredAt;
      if (Invariants.decided(status) && began >= recovered) {
        long ms = (System.nanoTime() - recovered) / 1_000_000;
        decidedAfterMs.accumulateAndGet(ms, (was, now) -> was < 0 ? now : Math.min(was, now));
      }
      if (Invariants.decided(status) && began >= struckAt) {
        slowestAfterFaultMs.accumulateAndGet((System.nanoTime() - began) / 1_000_000, Math::max);
      }
      return Future.succeededFuture(status);
    });
  }

  private Report check(String fault, ShopClient client, Records records, Map<String, Integer> told,
                       List<Long> refusals, int atFault, Instant began) {
    int ok = 0;
    int refused = 0;
    Invariants invariants = new Invariants(client);
    int unsettled = invariants.settle(told);
    for (int status : told.values()) {
      if (status / 100 == 2) {
        ok++;
      } else if (status / 100 == 4) {
        refused++;
      }
    }
    invariants.sagasFinished(began, Duration.ofSeconds(60));
    invariants.balances(invariants.orders(records.orders.keySet(), told), records.stock, records.credit);
    List<Long> latencies = List.copyOf(refusals);
    Report report = new Report(fault, atFault, ok, refused, unsettled, latencies.size(),
      (int) latencies.stream().filter(ms -> ms < 1_000).count(), decidedAfterMs.get(), slowestAfterFaultMs.get(),
      invariants.violations());
    out.println(report);
    return report;
  }

  /** Fresh items, users and orders for one fault, with their initial stock and credit. */
  private record Records(Map<String, Long> stock, Map<String, Long> credit, Map<String, String> orders) {
    static Records create(ShopClient client, Random random, int items, int users, int orders) {
      Map<String, Long> stock = new LinkedHashMap<>();
      for (int i = 0; i < items; i++) {
        long units = 10 + random.nextInt(20);
        stock.put(client.newItem(1 + i % 3, units).await(), units);
      }
      // Drawn before the requests go out, which complete in any order.
      long[] money = random.longs(users, 2, 10).toArray();
      List<String> userIds = inBatches(users, i -> client.newUser(money[i]));
      Map<String, Long> credit = new LinkedHashMap<>();
      for (int i = 0; i < users; i++) {
        credit.put(userIds.get(i), money[i]);
      }
      List<String> itemIds = new ArrayList<>(stock.keySet());
      List<String> owners = new ArrayList<>();
      List<List<String>> lines = new ArrayList<>();
      for (int i = 0; i < orders; i++) {
        owners.add(userIds.get(random.nextInt(users)));
        List<String> order = new ArrayList<>();
        for (int line = 0; line < 1 + random.nextInt(2); line++) {
          order.add(itemIds.get(random.nextInt(itemIds.size())) + "/" + (1 + random.nextInt(2)));
        }
        lines.add(order);
      }
      List<String> orderIds = inBatches(orders, i -> client.post("/orders/create/" + owners.get(i))
        .map(created -> created.body().getString("order_id"))
        .compose(order -> {
          Future<Reply> added = Future.succeededFuture();
          for (String line : lines.get(i)) {
            added = added.compose(previous -> client.post("/orders/addItem/" + order + "/" + line));
          }
          return added.map(done -> order);
        }));
      Map<String, String> made = new LinkedHashMap<>();
      for (int i = 0; i < orders; i++) {
        made.put(orderIds.get(i), owners.get(i));
      }
      return new Records(stock, credit, made);
    }
  }
}
