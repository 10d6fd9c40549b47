package dev.sagashop.order;

import dev.sagashop.contracts.Amounts;
import dev.sagashop.contracts.Checkout;
import dev.sagashop.contracts.ServiceException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * An order: a user's items with their quantities and what they cost when added. {@code version} counts changes,
 * so an update can be made conditional on nobody having changed the order since it was read.
 * {@code sagaId} names the checkout that holds (or held) the order's semantic lock.
 */
record Order(String id, String userId, List<Line> lines, long totalCost, Status status, long version,
             String sagaId, String lastError) {

  enum Status { OPEN, CHECKING_OUT, PAID }

  record Line(String itemId, long quantity) {
  }

  static Order open(String id, String userId) {
    return new Order(id, userId, List.of(), 0, Status.OPEN, 0, null, null);
  }

  /** This order with {@code quantity} more of an item costing {@code price} each; 400 on overflow. */
  Order withItem(String itemId, long quantity, long price) {
    long cost = Amounts.add(totalCost, Amounts.multiply(quantity, price, "the item's cost"), "total_cost");
    List<Line> added = new ArrayList<>(lines.size() + 1);
    boolean merged = false;
    for (Line line : lines) {
      if (line.itemId().equals(itemId)) {
        added.add(new Line(itemId, Amounts.add(line.quantity(), quantity, "the quantity of item " + itemId)));
        merged = true;
      } else {
        added.add(line);
      }
    }
    if (!merged) {
      if (lines.size() >= Checkout.MAX_LINES) {
        throw ServiceException.badRequest("order " + id + " holds " + lines.size() + " distinct items, the most an "
          + "order may hold");
      }
      added.add(new Line(itemId, quantity));
    }
    return new Order(id, userId, List.copyOf(added), cost, status, version + 1, sagaId, lastError);
  }

  /** This order as a settled checkout leaves it: paid, or open again with the reason. */
  Order settled(Status outcome, String reason) {
    return new Order(id, userId, lines, totalCost, outcome, version + 1, sagaId, reason);
  }

  /** What the checkout saga carries. */
  Checkout checkout() {
    return new Checkout(id, userId, lines.stream().map(line -> new Checkout.Line(line.itemId(), line.quantity()))
      .toList(), totalCost);
  }

  /** As the public API shows it. */
  JsonObject toApi() {
    JsonArray items = new JsonArray();
    lines.forEach(line -> items.add(new JsonArray().add(line.itemId()).add(line.quantity())));
    JsonObject api = new JsonObject()
      .put("order_id", id)
      .put("paid", status == Status.PAID)
      .put("items", items)
      .put("user_id", userId)
      .put("total_cost", totalCost)
      .put("status", status.name());
    if (status == Status.OPEN && lastError != null) {
      api.put("last_error", lastError);
    }
    return api;
  }

  JsonObject toDocument() {
    JsonArray items = new JsonArray();
    lines.forEach(line -> items.add(new JsonObject().put("item_id", line.itemId()).put("quantity", line.quantity())));
    JsonObject document = new JsonObject()
      .put("_id", id)
      .put("user_id", userId)
      .put("items", items)
      .put("total_cost", totalCost)
      .put("status", status.name())
      .put("version", version);
    if (sagaId != null) {
      document.put("saga_id", sagaId);
    }
    if (lastError != null) {
      document.put("last_error", lastError);
    }
    return document;
  }

  static Order fromDocument(JsonObject document) {
    List<Line> lines = new ArrayList<>();
    for (Object item : document.getJsonArray("items", new JsonArray())) {
      JsonObject line = (JsonObject) item;
      lines.add(new Line(line.getString("item_id"), line.getLong("quantity")));
    }
    return new Order(document.getString("_id"), document.getString("user_id"), List.copyOf(lines),
      document.getLong("total_cost", 0L), Status.valueOf(document.getString("status", Status.OPEN.name())),
      document.getLong("version", 0L), document.getString("saga_id"), document.getString("last_error"));
  }
}
