package dev.sagashop.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/** What paid orders account for, from orders as {@code GET /orders/find} shows them: units per item, cost per user. */
public record PaidOrders(long count, Map<String, Long> unitsPerItem, Map<String, Long> costPerUser) {

  public static PaidOrders of(Iterable<JsonObject> orders) {
    long count = 0;
    Map<String, Long> units = new HashMap<>();
    Map<String, Long> cost = new HashMap<>();
    for (JsonObject order : orders) {
      if (order.getBoolean("paid", false)) {
        count++;
        cost.merge(order.getString("user_id"), order.getLong("total_cost"), Long::sum);
        for (Object line : order.getJsonArray("items")) {
          units.merge(((JsonArray) line).getString(0), ((JsonArray) line).getLong(1), Long::sum);
        }
      }
    }
    return new PaidOrders(count, units, cost);
  }

  public long units(String item) {
    return unitsPerItem.getOrDefault(item, 0L);
  }

  public long cost(String user) {
    return costPerUser.getOrDefault(user, 0L);
  }
}
