package dev.sagashop.service;

import dev.sagashop.contracts.SagaMessage.Outcome;
import dev.sagashop.contracts.ServiceException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Documents holding a non-negative 64-bit balance — an item's stock, a user's credit. Every change is one
 * conditional single-document update, so concurrent changes never go below zero, never overflow and never get lost;
 * the condition is also what tells a refusal apart from success.
 *
 * <p>Sagas take amounts in three moves (try / confirm / cancel), each marked in the document it changes, so a
 * command applied twice, or cut short by a crash and delivered again, has the effect of applying it once:
 * <ul>
 *   <li>reserve: take the amount and record {@code holds.<saga> = amount} — only while no hold and no settlement
 *       of that saga is recorded;</li>
 *   <li>confirm: drop the hold (the amount stays taken) and record the saga as settled;</li>
 *   <li>release: give the held amount back, drop the hold, record the saga as settled.</li>
 * </ul>
 * The settled list keeps the last {@value #SETTLED_KEPT} sagas, so a stale reserve arriving after its saga was
 * released or confirmed cannot take the amount again.
 */
public final class BalanceStore {

  static final String HOLDS = "holds";
  static final String SETTLED = "settled";
  static final int SETTLED_KEPT = 64;
  private static final int RESERVE_ATTEMPTS = 3;

  /** What a saga's move on the documents came to; {@code applied}: this call took something new. */
  public record HoldResult(Outcome outcome, String reason, boolean applied) {
    static final HoldResult DONE = new HoldResult(Outcome.DONE, null, false);

    static HoldResult refused(String reason) {
      return new HoldResult(Outcome.REFUSED, reason, false);
    }
  }

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

  /** The document, or a 404. */
  public Future<JsonObject> find(String id) {
    return mongo.findOne(collection, byId(id), null).compose(document -> document == null
      ? Future.failedFuture(notFound(id))
      : Future.succeededFuture(document));
  }

  /** Adds {@code amount}; returns the new balance. 404 for an unknown id, 400 if the balance would overflow. */
  public Future<Long> add(String id, long amount) {
    JsonObject roomFor = byId(id).put(balance, new JsonObject().put("$lte", Long.MAX_VALUE - amount));
    return change(roomFor, amount).compose(updated -> updated != null
      ? Future.succeededFuture(updated)
      : find(id).compose(existing -> Future.failedFuture(ServiceException.badRequest(
        balance + " of " + noun + " " + id + " would exceed " + Long.MAX_VALUE))));
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

  /** Creates or replaces these documents (by _id) in bulk. */
  public Future<Void> replaceAll(List<JsonObject> documents) {
    return MongoBulk.replaceAll(mongo, collection, documents);
  }

  /**
   * Reserves every amount for the saga, in order, all or nothing. If one cannot be taken, the saga is settled on
   * every document of the command: what this call took is given back, and a later copy of the command (a duplicate
   * delivery) takes nothing.
   */
  public Future<HoldResult> reserve(String sagaId, Map<String, Long> amounts) {
    return reserveFrom(sagaId, new ArrayList<>(amounts.entrySet()), 0, false)
      .compose(result -> result.outcome() == Outcome.REFUSED
        ? release(sagaId, amounts).map(released -> result)
        : Future.succeededFuture(result));
  }

  private Future<HoldResult> reserveFrom(String sagaId, List<Map.Entry<String, Long>> amounts, int index,
                                         boolean applied) {
    if (index == amounts.size()) {
      return Future.succeededFuture(new HoldResult(Outcome.DONE, null, applied));
    }
    Map.Entry<String, Long> next = amounts.get(index);
    return reserveOne(sagaId, next.getKey(), next.getValue(), 1).compose(taken -> taken.refusal() == null
      ? reserveFrom(sagaId, amounts, index + 1, applied || taken.now())
      : Future.succeededFuture(HoldResult.refused(taken.refusal())));
  }

  /** One document's reservation: held by this call ({@code now}), held already, or refused with a reason. */
  private record Taken(boolean now, String refusal) {
    static final Taken NOW = new Taken(true, null);
    static final Taken EARLIER = new Taken(false, null);

    static Taken refused(String reason) {
      return new Taken(false, reason);
    }
  }

  private Future<Taken> reserveOne(String sagaId, String id, long amount, int attempt) {
    JsonObject available = byId(id)
      .put(balance, new JsonObject().put("$gte", amount))
      .put(hold(sagaId), new JsonObject().put("$exists", false))
      .put(SETTLED, new JsonObject().put("$ne", sagaId));
    JsonObject take = new JsonObject()
      .put("$inc", new JsonObject().put(balance, -amount))
      .put("$set", new JsonObject().put(hold(sagaId), amount));
    return mongo.findOneAndUpdateWithOptions(collection, available, take, ID_ONLY, new UpdateOptions())
      .compose(taken -> taken != null ? Future.succeededFuture(Taken.NOW) : mongo.findOne(collection, byId(id), null)
        .compose(document -> {
          if (document == null) {
            return Future.succeededFuture(Taken.refused(noun + " " + id + " not found"));
          }
          if (holdOf(document, sagaId) != null) {
            return Future.succeededFuture(Taken.EARLIER);
          }
          if (isSettled(document, sagaId)) {
            return Future.succeededFuture(Taken.refused("saga " + sagaId + " was already settled for " + noun + " "
              + id));
          }
          long has = document.getLong(balance);
          if (has >= amount && attempt < RESERVE_ATTEMPTS) {
            return reserveOne(sagaId, id, amount, attempt + 1);
          }
          return Future.succeededFuture(Taken.refused("insufficient " + balance + ": " + noun + " " + id + " has "
            + has + ", " + amount + " needed"));
        }));
  }

  /** Gives back what the saga holds on these documents (compensation); a document without a hold is only marked. */
  public Future<HoldResult> release(String sagaId, Map<String, Long> amounts) {
    return settleEach(sagaId, amounts, true);
  }

  /** Keeps what the saga took on these documents and drops its holds. */
  public Future<HoldResult> confirm(String sagaId, Map<String, Long> amounts) {
    return settleEach(sagaId, amounts, false);
  }

  private Future<HoldResult> settleEach(String sagaId, Map<String, Long> amounts, boolean giveBack) {
    Future<HoldResult> chain = Future.succeededFuture(HoldResult.DONE);
    for (Map.Entry<String, Long> entry : amounts.entrySet()) {
      chain = chain.compose(result -> result.outcome() != Outcome.DONE ? Future.succeededFuture(result)
        : settleOne(sagaId, entry.getKey(), entry.getValue(), giveBack));
    }
    return chain;
  }

  private Future<HoldResult> settleOne(String sagaId, String id, long amount, boolean giveBack) {
    JsonObject held = byId(id).put(hold(sagaId), amount);
    JsonObject settle = new JsonObject()
      .put("$unset", new JsonObject().put(hold(sagaId), ""))
      .put("$push", settledPush(sagaId));
    if (giveBack) {
      held.put(balance, new JsonObject().put("$lte", Long.MAX_VALUE - amount));
      settle.put("$inc", new JsonObject().put(balance, amount));
    }
    return mongo.findOneAndUpdateWithOptions(collection, held, settle, ID_ONLY, new UpdateOptions())
      .compose(settled -> settled != null ? Future.succeededFuture(HoldResult.DONE) : markSettled(sagaId, id));
  }

  /**
   * No hold to settle: already settled, never reserved, or (never in practice) one that would overflow on return.
   * Recording the saga as settled keeps a reserve that arrives late from taking anything.
   */
  private Future<HoldResult> markSettled(String sagaId, String id) {
    JsonObject unmarked = byId(id)
      .put(hold(sagaId), new JsonObject().put("$exists", false))
      .put(SETTLED, new JsonObject().put("$ne", sagaId));
    return mongo.findOneAndUpdateWithOptions(collection, unmarked, new JsonObject().put("$push", settledPush(sagaId)),
        ID_ONLY, new UpdateOptions())
      .compose(marked -> marked != null ? Future.succeededFuture(HoldResult.DONE)
        : mongo.findOne(collection, byId(id), null).map(document -> document != null && holdOf(document, sagaId) != null
          ? new HoldResult(Outcome.FAILED, "the hold of saga " + sagaId + " on " + noun + " " + id
            + " does not match its command, or returning it would overflow", false)
          : HoldResult.DONE));
  }

  private static String hold(String sagaId) {
    return HOLDS + "." + sagaId;
  }

  private static JsonObject settledPush(String sagaId) {
    return new JsonObject().put(SETTLED, new JsonObject()
      .put("$each", new JsonArray().add(sagaId))
      .put("$slice", -SETTLED_KEPT));
  }

  private static Long holdOf(JsonObject document, String sagaId) {
    JsonObject holds = document.getJsonObject(HOLDS);
    return holds == null ? null : holds.getLong(sagaId);
  }

  private static boolean isSettled(JsonObject document, String sagaId) {
    JsonArray settled = document.getJsonArray(SETTLED);
    return settled != null && settled.contains(sagaId);
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

  private static final FindOptions ID_ONLY = new FindOptions().setFields(new JsonObject().put("_id", 1));

  static JsonObject byId(String id) {
    return new JsonObject().put("_id", id);
  }
}
