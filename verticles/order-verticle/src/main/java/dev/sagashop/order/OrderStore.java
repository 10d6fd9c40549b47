package dev.sagashop.order;

import dev.sagashop.contracts.Checkout;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.service.MongoBulk;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/** Orders in the order service's own database. Every change is a single-document conditional update. */
final class OrderStore {

  static final String ORDERS = "orders";

  private final MongoClient mongo;

  OrderStore(MongoClient mongo) {
    this.mongo = mongo;
  }

  Future<Void> insert(Order order) {
    return mongo.insert(ORDERS, order.toDocument()).mapEmpty();
  }

  /** The order, or a 404. */
  Future<Order> find(String id) {
    return mongo.findOne(ORDERS, new JsonObject().put("_id", id), null).compose(document -> document == null
      ? Future.failedFuture(ServiceException.notFound("order " + id + " not found"))
      : Future.succeededFuture(Order.fromDocument(document)));
  }

  /** Stores {@code changed} if the order is still open at {@code readVersion}; false if someone got there first. */
  Future<Boolean> replaceIfUnchanged(Order changed, long readVersion) {
    JsonObject unchanged = new JsonObject()
      .put("_id", changed.id())
      .put("version", readVersion)
      .put("status", Order.Status.OPEN.name());
    return mongo.findOneAndReplace(ORDERS, unchanged, changed.toDocument()).map(previous -> previous != null);
  }

  /** Locks an open order that has items for checkout by this saga; the locked order, or null if it cannot be. */
  Future<Order> lockForCheckout(String orderId, String sagaId) {
    return mongo.findOneAndUpdateWithOptions(ORDERS, lockable(orderId), lock(sagaId), new FindOptions(),
        new UpdateOptions().setReturningNewDocument(true))
      .map(document -> document == null ? null : Order.fromDocument(document));
  }

  /**
   * Locks these orders (order id to saga id) as {@link #lockForCheckout} does each, in one bulk write; completes
   * once the write is done. Which orders it locked: those {@link #findAll} then finds locked by their saga.
   */
  Future<Void> lockAllForCheckout(Map<String, String> sagaByOrder) {
    List<MongoBulk.Update> writes = new ArrayList<>(sagaByOrder.size());
    sagaByOrder.forEach((orderId, sagaId) -> writes.add(new MongoBulk.Update(lockable(orderId), lock(sagaId))));
    return MongoBulk.update(mongo, ORDERS, writes).mapEmpty();
  }

  /**
   * An open order that has items, and no more than {@link Checkout#MAX_LINES} of them (an order stored before that
   * bound may have more): only such an order may be checked out.
   */
  private static JsonObject lockable(String orderId) {
    return new JsonObject()
      .put("_id", orderId)
      .put("status", Order.Status.OPEN.name())
      .put("items", new JsonObject().put("$ne", new JsonArray()))
      .put("items." + Checkout.MAX_LINES, new JsonObject().put("$exists", false));
  }

  /** The semantic lock: checking out by {@code sagaId}. */
  private static JsonObject lock(String sagaId) {
    return new JsonObject()
      .put("$set", new JsonObject().put("status", Order.Status.CHECKING_OUT.name()).put("saga_id", sagaId))
      .put("$unset", new JsonObject().put("last_error", ""))
      .put("$inc", new JsonObject().put("version", 1L));
  }

  /** How a saga ends for an order: paid, or reopened with the reason. */
  record Settlement(String orderId, String sagaId, Order.Status status, String reason) {
  }

  /**
   * Applies settlements, each only to an order still locked by its saga, in one bulk write; returns how many
   * matched: all of them means every settlement took effect.
   */
  Future<Long> settleAll(List<Settlement> settlements) {
    List<MongoBulk.Update> writes = new ArrayList<>(settlements.size());
    for (Settlement settlement : settlements) {
      JsonObject fields = new JsonObject().put("status", settlement.status().name());
      if (settlement.reason() != null) {
        fields.put("last_error", settlement.reason());
      }
      writes.add(new MongoBulk.Update(
        new JsonObject()
          .put("_id", settlement.orderId())
          .put("status", Order.Status.CHECKING_OUT.name())
          .put("saga_id", settlement.sagaId()),
        new JsonObject().put("$set", fields).put("$inc", new JsonObject().put("version", 1L))));
    }
    return MongoBulk.update(mongo, ORDERS, writes);
  }

  /** These orders as they are (absent: unknown), in one query. */
  Future<Map<String, Order>> findAll(Collection<String> orderIds) {
    JsonArray ids = new JsonArray(List.copyOf(orderIds));
    return mongo.findWithOptions(ORDERS, new JsonObject().put("_id", new JsonObject().put("$in", ids)),
        new FindOptions().setBatchSize(Math.max(1, ids.size())))
      .map(documents -> {
        Map<String, Order> orders = new HashMap<>();
        documents.forEach(document -> orders.put(document.getString("_id"), Order.fromDocument(document)));
        return orders;
      });
  }

  /** Orders left locked, for re-announcing their checkouts after a restart. A full scan: start-up only. */
  Future<List<Order>> checkingOut() {
    return mongo.find(ORDERS, new JsonObject().put("status", Order.Status.CHECKING_OUT.name()))
      .map(documents -> documents.stream().map(Order::fromDocument).toList());
  }

  /** Creates or replaces orders 0..count-1 in bulk. */
  Future<Void> replaceAll(long count, LongFunction<Order> order) {
    return MongoBulk.replaceAll(mongo, ORDERS, count, i -> order.apply(i).toDocument());
  }
}
