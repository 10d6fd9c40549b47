package dev.sagashop.order;

import dev.sagashop.contracts.ServiceException;
import dev.sagashop.service.MongoBulk;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;

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

  /** Creates or replaces these orders in bulk. */
  Future<Void> replaceAll(List<Order> orders) {
    return MongoBulk.replaceAll(mongo, ORDERS, orders.stream().map(Order::toDocument).toList());
  }
}
