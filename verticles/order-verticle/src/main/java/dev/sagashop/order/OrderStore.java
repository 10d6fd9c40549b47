package dev.sagashop.order;

import dev.sagashop.contracts.ServiceException;
import dev.sagashop.service.MongoBulk;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;

import java.util.List;

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

  /** Pays the order locked by this saga; the paid order, or null if it is not locked by it. */
  Future<Order> markPaid(String orderId, String sagaId) {
    return settle(orderId, sagaId, new JsonObject().put("status", Order.Status.PAID.name()));
  }

  /** Unlocks the order locked by this saga, recording why; the reopened order, or null if not locked by it. */
  Future<Order> reopen(String orderId, String sagaId, String reason) {
    return settle(orderId, sagaId, new JsonObject().put("status", Order.Status.OPEN.name()).put("last_error", reason));
  }

  private Future<Order> settle(String orderId, String sagaId, JsonObject fields) {
    JsonObject lockedBySaga = new JsonObject()
      .put("_id", orderId)
      .put("status", Order.Status.CHECKING_OUT.name())
      .put("saga_id", sagaId);
    JsonObject update = new JsonObject().put("$set", fields).put("$inc", new JsonObject().put("version", 1L));
    return mongo.findOneAndUpdateWithOptions(ORDERS, lockedBySaga, update, new FindOptions(),
        new UpdateOptions().setReturningNewDocument(true))
      .map(document -> document == null ? null : Order.fromDocument(document));
  }

  /** Orders left locked, for re-announcing their checkouts after a restart. A full scan: start-up only. */
  Future<List<Order>> checkingOut() {
    return mongo.find(ORDERS, new JsonObject().put("status", Order.Status.CHECKING_OUT.name()))
      .map(documents -> documents.stream().map(Order::fromDocument).toList());
  }

  /** Creates or replaces these orders in bulk. */
  Future<Void> replaceAll(List<Order> orders) {
    return MongoBulk.replaceAll(mongo, ORDERS, orders.stream().map(Order::toDocument).toList());
  }
}
