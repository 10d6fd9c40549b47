package dev.sagashop.launcher;

import dev.sagashop.bench.PaidOrders;
import dev.sagashop.bench.ShopClient.Reply;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Records a test creates through the API, and the invariants over them: per item, stock + units in paid orders =
 * initial stock; per user, credit + cost of paid orders = initial credit.
 */
final class Ledger {

  private final Map<String, Long> initialStock = new HashMap<>();
  private final Map<String, Long> initialCredit = new HashMap<>();
  private final List<String> orders = new ArrayList<>();

  String item(long price, long stock) {
    String id = TestShop.post("/stock/item/create/" + price).body().getString("item_id");
    if (stock > 0) {
      assertEquals(200, TestShop.post("/stock/add/" + id + "/" + stock).status());
    }
    initialStock.put(id, stock);
    return id;
  }

  String user(long credit) {
    String id = TestShop.post("/payment/create_user").body().getString("user_id");
    if (credit > 0) {
      assertEquals(200, TestShop.post("/payment/add_funds/" + id + "/" + credit).status());
    }
    initialCredit.put(id, credit);
    return id;
  }

  /** An order of {@code items} (item id, quantity, item id, quantity, ...). */
  String order(String user, Object... items) {
    String id = TestShop.post("/orders/create/" + user).body().getString("order_id");
    for (int i = 0; i < items.length; i += 2) {
      assertEquals(200, TestShop.post("/orders/addItem/" + id + "/" + items[i] + "/" + items[i + 1]).status());
    }
    orders.add(id);
    return id;
  }

  /** More stock or credit added during a test counts as initial. */
  void addStock(String item, long amount) {
    assertEquals(200, TestShop.post("/stock/add/" + item + "/" + amount).status());
    initialStock.merge(item, amount, Long::sum);
  }

  void addCredit(String user, long amount) {
    assertEquals(200, TestShop.post("/payment/add_funds/" + user + "/" + amount).status());
    initialCredit.merge(user, amount, Long::sum);
  }

  static long stock(String item) {
    return TestShop.get("/stock/find/" + item).body().getLong("stock");
  }

  static long credit(String user) {
    return TestShop.get("/payment/find_user/" + user).body().getLong("credit");
  }

  static JsonObject findOrder(String id) {
    return TestShop.get("/orders/find/" + id).body();
  }

  static Reply checkout(String order) {
    return TestShop.post("/orders/checkout/" + order);
  }

  /** The order's latest saga, as {@code GET /orders/{id}/saga} shows it. */
  static JsonObject sagaOf(String order) {
    return TestShop.get("/orders/" + order + "/saga").body();
  }

  /** A saga's journal, each line as "step:event". */
  static List<String> events(String sagaId) {
    return TestShop.get("/sagas/" + sagaId).body().getJsonArray("journal").stream()
      .map(line -> ((JsonObject) line).getString("step") + ":" + ((JsonObject) line).getString("event")).toList();
  }

  /** The status its latest saga finished in, COMPLETED or ABORTED, waiting up to 10 s for it. */
  static String awaitSagaFinished(String order) {
    String status = null;
    for (int i = 0; i < 200; i++) {
      status = sagaOf(order).getString("status");
      if ("COMPLETED".equals(status) || "ABORTED".equals(status)) {
        return status;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("saga of order " + order + " still " + status);
  }
  /** No unit of stock or credit created or lost, over every record this ledger made. */
  void assertConsistent() {
    PaidOrders paid = PaidOrders.of(orders.stream().map(Ledger::findOrder).toList());
    initialStock.forEach((item, initial) ->
      assertEquals(initial, stock(item) + paid.units(item), "stock + sold of item " + item));
    initialCredit.forEach((user, initial) ->
      assertEquals(initial, credit(user) + paid.cost(user), "credit + charged of user " + user));
  }
}
