package dev.sagashop.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The payload of a checkout saga: what the order service locked, and what every command of the saga carries. */
public record Checkout(String orderId, String userId, List<Line> items, long totalCost) {

  /**
   * Distinct items an order may hold. Every message of its saga carries the lines, and the journal keeps them: at
   * 500 lines of the longest ids and amounts a payload is about 45 KB, within the journal's 64 KB and a Kafka record.
   */
  public static final int MAX_LINES = 500;

  public record Line(String itemId, long quantity) {
  }

  /** Quantities per item, in order. */
  public Map<String, Long> quantities() {
    Map<String, Long> quantities = new LinkedHashMap<>();
    items.forEach(line -> quantities.merge(line.itemId(), line.quantity(), (a, b) -> Amounts.add(a, b, "quantity")));
    return quantities;
  }

  public JsonObject toJson() {
    JsonArray lines = new JsonArray();
    items.forEach(line -> lines.add(new JsonArray().add(line.itemId()).add(line.quantity())));
    return new JsonObject().put("order_id", orderId).put("user_id", userId).put("items", lines)
      .put("total_cost", totalCost);
  }

  /** Parses and validates; anything malformed is an {@link IllegalArgumentException}. */
  public static Checkout fromJson(JsonObject json) {
    try {
      List<Line> lines = new ArrayList<>();
      JsonArray items = json.getJsonArray("items");
      if (items.size() > MAX_LINES) {
        throw new IllegalArgumentException("a checkout of " + items.size() + " lines; at most " + MAX_LINES);
      }
      for (Object entry : items) {
        JsonArray line = (JsonArray) entry;
        long quantity = line.getLong(1);
        if (!Ids.isValid(line.getString(0)) || quantity < 1) {
          throw new IllegalArgumentException("bad order line " + line.encode());
        }
        lines.add(new Line(line.getString(0), quantity));
      }
      String orderId = json.getString("order_id");
      String userId = json.getString("user_id");
      long totalCost = json.getLong("total_cost");
      if (!Ids.isValid(orderId) || !Ids.isValid(userId) || totalCost < 0) {
        throw new IllegalArgumentException("bad checkout " + json.encode());
      }
      return new Checkout(orderId, userId, List.copyOf(lines), totalCost);
    } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("bad checkout " + json.encode(), e);
    }
  }
}
