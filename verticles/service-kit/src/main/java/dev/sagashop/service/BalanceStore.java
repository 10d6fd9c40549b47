package dev.sagashop.service;

import dev.sagashop.contracts.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;

import java.util.function.LongFunction;

/**
 * Documents holding a non-negative 64-bit balance — an item's stock, a user's credit. Every change is one
 * conditional single-document update, so concurrent changes never go below zero, never overflow and never get lost;
 * the condition is also what tells a refusal apart from success. What sagas do to the same documents is the
 * {@link HoldLedger}'s.
 */
public final class BalanceStore {

  /**
   * What a read leaves out: the sagas' bookkeeping ({@link HoldLedger}), which no reader shows. On a popular
   * document it is most of the document — up to a thousand settled saga ids — and every read shipped it.
   */
  private static final JsonObject WITHOUT_LEDGER = new JsonObject().put(HoldLedger.HOLDS, 0)
    .put(HoldLedger.SETTLED, 0);

  private final MongoClient mongo;
  private final String collection;
  private final String balance;
  private final String noun;

  /**
   * @param balance the balance field ("stock", "credit")
   * @param noun    what a document is, for messages ("item", "user")
   */
  public BalanceStore(MongoClient mongo, String collection, String balance, String noun) {
    this.mongo = mongo;
    this.collection = collection;
    this.balance = balance;
    this.noun = noun;
  }

  public String balanceField() {
    return balance;
  }

  /** The saga holds on these documents, applied through {@code sagas} (the participant's own client). */
  public HoldLedger holds(MongoClient sagas) {
    return new HoldLedger(sagas, collection, balance, noun);
  }

  /** The document without the sagas' holds, or a 404. */
  public Future<JsonObject> find(String id) {
    return mongo.findOne(collection, byId(id), WITHOUT_LEDGER).compose(document -> document == null
      ? Future.failedFuture(notFound(id))
      : Future.succeededFuture(document));
  }

  /**
   * Adds {@code amount}; returns the new balance. 404 for an unknown id; 400 if the balance and what sagas hold on
   * the document would together pass 2^63-1, since a hold released goes back into the balance and must fit.
   */
  public Future<Long> add(String id, long amount) {
    JsonObject roomFor = byId(id).put("$expr", new JsonObject().put("$lte", new JsonArray()
      .add(new JsonObject().put("$add", new JsonArray().add("$" + balance).add(HoldLedger.HELD)))
      .add(Long.MAX_VALUE - amount)));
    return change(roomFor, amount).compose(updated -> updated != null
      ? Future.succeededFuture(updated)
      : find(id).compose(existing -> Future.failedFuture(ServiceException.badRequest(
        balance + " of " + noun + " " + id + " would exceed " + Long.MAX_VALUE
          + ", counting what checkouts in progress have held of it"))));
  }

  /** Takes {@code amount}; returns the new balance. 404 for an unknown id, 400 and no change if too little. */
  public Future<Long> subtract(String id, long amount) {
    JsonObject enough = byId(id).put(balance, new JsonObject().put("$gte", amount));
    return change(enough, -amount).compose(updated -> updated != null
      ? Future.succeededFuture(updated)
      : find(id).compose(existing -> Future.failedFuture(ServiceException.badRequest(
        "insufficient " + balance + ": " + noun + " " + id + " has " + existing.getLong(balance) + ", "
          + amount + " requested"))));
  }

  /** Creates or replaces documents 0..count-1 (by _id) in bulk. */
  public Future<Void> replaceAll(long count, LongFunction<JsonObject> document) {
    return MongoBulk.replaceAll(mongo, collection, count, document);
  }

  private Future<Long> change(JsonObject condition, long delta) {
    return mongo.findOneAndUpdateWithOptions(collection, condition,
        new JsonObject().put("$inc", new JsonObject().put(balance, delta)),
        new FindOptions().setFields(new JsonObject().put(balance, 1)),
        new UpdateOptions().setReturningNewDocument(true))
      .map(updated -> updated == null ? null : updated.getLong(balance));
  }

  private ServiceException notFound(String id) {
    return ServiceException.notFound(noun + " " + id + " not found");
  }

  static JsonObject byId(String id) {
    return new JsonObject().put("_id", id);
  }
}
