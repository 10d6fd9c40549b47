package dev.sagashop.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What a run of faults must leave true, read through the shop's public API, the violations in words: every order a
 * client never learnt the outcome of settles on a re-checkout; no saga is left in flight or stuck; every order
 * told 2xx is paid and every one told 4xx is not; per item stock + units in paid orders = initial; per user credit +
 * cost of paid orders = initial (so nobody was charged twice).
 */
final class Invariants {

  /** Orders read at once while checking: enough to be quick, few enough to leave the shop breathing. */
  private static final int READS_IN_FLIGHT = 32;

  private final ShopClient client;
  private final List<String> violations = new ArrayList<>();

  Invariants(ShopClient client) {
    this.client = client;
  }

  List<String> violations() {
    return violations;
  }

  /**
   * Re-checks-out each order whose client was told neither 2xx nor 4xx and records the answer in {@code told}; it must
   * be 2xx or 4xx within 10 s (a 503 while the gateway has not yet seen the shop recover is retried meanwhile).
   * Returns how many there were.
   */
  int settle(Map<String, Integer> told) {
    int unsettled = 0;
    for (Map.Entry<String, Integer> entry : told.entrySet()) {
      int status = entry.getValue();
      if (decided(status)) {
        continue;
      }
      unsettled++;
      long began = System.nanoTime();
      int again = recheckout(entry.getKey());
      while (again == 503 && System.nanoTime() - began < 10_000_000_000L) {
        pause(250);
        again = recheckout(entry.getKey());
      }
      long ms = (System.nanoTime() - began) / 1_000_000;
      if (!decided(again) || ms > 10_000) {
        // What the shop says of the order and its saga, so a failure can be understood where it is reported.
        violations.add("re-checkout of " + entry.getKey() + " answered " + (again == 0 ? "nothing" : again) + " in "
          + ms + " ms; the order: " + describe("/orders/find/" + entry.getKey()) + "; its saga: "
          + describe("/orders/" + entry.getKey() + "/saga"));
      }
      entry.setValue(again);
    }
    return unsettled;
  }

  /**
   * Waits up to {@code within} until no saga is in flight (the orders read afterwards are then final), and checks
   * that none started since {@code since} is stuck.
   */
  void sagasFinished(Instant since, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    JsonObject stats;
    while (true) {
      stats = client.await(client.get("/sagas/stats?since=" + since)).body();
      long inFlight = stats.getJsonObject("in_flight", new JsonObject()).getLong("count", -1L);
      if (inFlight == 0 || System.nanoTime() > deadline) {
        break;
      }
      pause(200);
    }
    long inFlight = stats.getJsonObject("in_flight", new JsonObject()).getLong("count", -1L);
    if (inFlight != 0) {
      violations.add(inFlight + " sagas still in flight " + within.toSeconds() + " s after the load: "
        + describe("/sagas?limit=5&status=RUNNING") + " " + describe("/sagas?limit=5&status=COMPENSATING")
        + " " + describe("/sagas?limit=5&status=CONFIRMING"));
    }
    long stuck = stats.getJsonObject("by_status", new JsonObject()).getLong("STUCK", 0L);
    if (stuck != 0) {
      violations.add(stuck + " sagas stuck: " + describe("/sagas?limit=5&status=STUCK"));
    }
  }

  /** Reads every order; each told 2xx must be paid, each told 4xx not. What the paid ones account for. */
  PaidOrders orders(Collection<String> orders, Map<String, Integer> told) {
    List<String> ids = List.copyOf(orders);
    List<JsonObject> found = new ArrayList<>(ids.size());
    for (int from = 0; from < ids.size(); from += READS_IN_FLIGHT) {
      List<Future<ShopClient.Reply>> reads = ids.subList(from, Math.min(ids.size(), from + READS_IN_FLIGHT)).stream()
        .map(id -> client.get("/orders/find/" + id)).toList();
      Future.join(reads).await();
      for (int i = 0; i < reads.size(); i++) {
        String id = ids.get(from + i);
        if (reads.get(i).failed() || reads.get(i).result().status() != 200) {
          violations.add("order " + id + " could not be read: " + (reads.get(i).failed() ? reads.get(i).cause()
            : reads.get(i).result()));
          continue;
        }
        JsonObject order = reads.get(i).result().body();
        found.add(order);
        Integer status = told.get(id);
        boolean paid = order.getBoolean("paid", false);
        if (status != null && status / 100 == 2 && !paid) {
          violations.add("order " + id + " was told " + status + " but is not paid");
        }
        if (status != null && status / 100 == 4 && paid) {
          violations.add("order " + id + " was told " + status + " but is paid");
        }
      }
    }
    return PaidOrders.of(found);
  }

  /** Per item stock + sold = initial, per user credit + charged = initial. */
  void balances(PaidOrders paid, Map<String, Long> stock, Map<String, Long> credit) {
    stock.forEach((item, initial) -> {
      long now = client.await(client.get("/stock/find/" + item)).body().getLong("stock");
      if (now + paid.units(item) != initial) {
        violations.add("item " + item + ": stock " + now + " + sold " + paid.units(item) + " != " + initial);
      }
    });
    credit.forEach((user, initial) -> {
      long now = client.await(client.get("/payment/find_user/" + user)).body().getLong("credit");
      if (now + paid.cost(user) != initial) {
        violations.add("user " + user + ": credit " + now + " + charged " + paid.cost(user) + " != " + initial);
      }
    });
  }

  static boolean decided(int status) {
    return status / 100 == 2 || status / 100 == 4;
  }

  /** A re-checkout's status; 0 if it got no answer in the client's time. */
  private int recheckout(String order) {
    try {
      return client.await(client.post("/orders/checkout/" + order)).status();
    } catch (IllegalStateException noAnswer) {
      return 0;
    }
  }

  private String describe(String path) {
    try {
      return client.await(client.get(path)).body().encode();
    } catch (IllegalStateException noAnswer) {
      return "(no answer)";
    }
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
