package dev.sagashop.bench;

import dev.sagashop.bench.ShopClient.Reply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.sagashop.bench.ShopClient.inBatches;

/**
 * The consistency scenario: many checkouts fired at once against little stock and credit, then what the clients
 * were told compared with what the shop did. Single-item: one item of stock 100 and price 1, users with credit 1,
 * one order of that item each. Multi-item: orders of 2–3 random items out of a few scarce ones, so partial
 * reservations must be compensated, and users whose credit covers only some orders.
 */
final class ConsistencyScenario {

  private final ShopClient shop;
  private final PrintStream out;

  ConsistencyScenario(ShopClient shop, PrintStream out) {
    this.shop = shop;
    this.out = out;
  }

  /** Runs one scenario; returns the number of inconsistencies found. */
  long run(boolean multiItem, int orders) {
    Random random = new Random();
    Map<String, Long> initialStock = new LinkedHashMap<>();
    int itemCount = multiItem ? 10 : 1;
    for (int i = 0; i < itemCount; i++) {
      long stock = multiItem ? 40 : 100;
      initialStock.put(shop.newItem(1, stock).await(), stock);
    }
    List<String> items = new ArrayList<>(initialStock.keySet());
    long credit = multiItem ? 2 : 1;
    List<String> users = inBatches(orders, i -> shop.newUser(credit));
    List<String> orderIds = inBatches(orders, i -> shop.post("/orders/create/" + users.get(i)).compose(created -> {
      String order = created.body().getString("order_id");
      List<String> chosen = new ArrayList<>(items);
      java.util.Collections.shuffle(chosen, random);
      int count = multiItem ? 2 + random.nextInt(2) : 1;
      Future<Reply> added = Future.succeededFuture();
      for (String item : chosen.subList(0, count)) {
        added = added.compose(previous -> shop.post("/orders/addItem/" + order + "/" + item + "/1"));
      }
      return added.map(done -> order);
    }));

    out.printf("%s: %d orders of %s, %d users with credit %d; firing all checkouts at once%n",
      multiItem ? "multi-item" : "single-item", orders, multiItem ? "2-3 of 10 items (stock 40 each)"
        : "1 item (stock 100)", orders, credit);
    long started = System.nanoTime();
    List<Future<Reply>> checkouts = orderIds.stream().map(order -> shop.post("/orders/checkout/" + order)).toList();
    Future.join(checkouts).transform(done -> Future.succeededFuture()).await();
    double seconds = (System.nanoTime() - started) / 1e9;

    Map<String, Integer> told = new HashMap<>();
    for (int i = 0; i < orders; i++) {
      Future<Reply> reply = checkouts.get(i);
      told.put(orderIds.get(i), reply.succeeded() ? reply.result().status() : -1);
    }
    List<JsonObject> finalOrders = settledOrders(orderIds);
    return report(told, finalOrders, initialStock, users, credit, seconds);
  }

  private long report(Map<String, Integer> told, List<JsonObject> finalOrders, Map<String, Long> initialStock,
                      List<String> users, long initialCredit, double seconds) {
    long ok = told.values().stream().filter(s -> s / 100 == 2).count();
    long refused = told.values().stream().filter(s -> s / 100 == 4).count();
    long other = told.size() - ok - refused;
    PaidOrders paid = PaidOrders.of(finalOrders);
    long inconsistencies = 0;
    for (JsonObject order : finalOrders) {
      int status = told.get(order.getString("order_id"));
      boolean isPaid = order.getBoolean("paid");
      if ((status / 100 == 2 && !isPaid) || (status / 100 == 4 && isPaid)) {
        inconsistencies++;
      }
    }
    long sold = 0;
    long soldInconsistent = 0;
    for (Map.Entry<String, Long> item : initialStock.entrySet()) {
      long stock = shop.await(shop.get("/stock/find/" + item.getKey())).body().getLong("stock");
      long itemSold = item.getValue() - stock;
      sold += itemSold;
      soldInconsistent += Math.abs(itemSold - paid.units(item.getKey())) + (stock < 0 ? 1 : 0);
    }
    List<Long> credits = inBatches(users.size(), i -> shop.get("/payment/find_user/" + users.get(i))
      .map(reply -> reply.body().getLong("credit")));
    long taken = 0;
    long creditInconsistent = 0;
    for (int i = 0; i < users.size(); i++) {
      long charged = initialCredit - credits.get(i);
      taken += charged;
      creditInconsistent += Math.abs(charged - paid.cost(users.get(i))) + (credits.get(i) < 0 ? 1 : 0);
    }
    inconsistencies += soldInconsistent + creditInconsistent;
    long paidUnitsTotal = paid.unitsPerItem().values().stream().mapToLong(Long::longValue).sum();
    long paidCostTotal = paid.costPerUser().values().stream().mapToLong(Long::longValue).sum();
    out.printf("  answered in %.2f s: %d told 2xx, %d told 4xx, %d other (5xx or no answer)%n", seconds, ok, refused,
      other);
    out.printf("  orders paid: %d; units sold: %d (in paid orders: %d); credit taken: %d (cost of paid orders: %d)%n",
      paid.count(), sold, paidUnitsTotal, taken, paidCostTotal);
    out.printf("  inconsistencies: %d%n", inconsistencies);
    return inconsistencies;
  }

  /** The orders once none is still being checked out (a checkout that timed out finishes on its own). */
  private List<JsonObject> settledOrders(List<String> orderIds) {
    for (int attempt = 0; ; attempt++) {
      List<JsonObject> found = inBatches(orderIds.size(), i -> shop.get("/orders/find/" + orderIds.get(i))
        .map(Reply::body));
      long locked = found.stream().filter(order -> "CHECKING_OUT".equals(order.getString("status"))).count();
      if (locked == 0 || attempt == 60) {
        if (locked > 0) {
          out.printf("  %d orders still being checked out after a minute%n", locked);
        }
        return found;
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return found;
      }
    }
  }
}
