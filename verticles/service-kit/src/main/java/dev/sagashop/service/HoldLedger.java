package dev.sagashop.service;

import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.SagaMessage.Outcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sagas' holds on balance documents. A saga takes amounts in three moves (try / confirm / cancel), each marked in
 * the document it changes, so a command applied twice, or cut short by a crash and delivered again, has the effect
 * of applying it once:
 * <ul>
 *   <li>reserve: take the amount and record {@code holds.<saga> = {q: amount, t: token}} — only while no hold and
 *       no settlement of that saga is recorded;</li>
 *   <li>confirm: drop the hold (the amount stays taken) and record the saga as settled;</li>
 *   <li>release: give the held amount back, drop the hold, record the saga as settled.</li>
 * </ul>
 * The settled list keeps the {@value #SETTLED_KEPT} greatest saga ids, in order, so a stale reserve arriving after
 * its saga was released or confirmed cannot take the amount again. Kafka delivers a command again after a crash, a
 * rebalance, a frozen member's return, or a group's offsets expiring, from its last committed offset — on a document
 * every checkout touches, further back than any fixed number of settlements lasts (a soak with faults lost stock when
 * the list kept 64, in arrival order). So a saga that fell off the list is not forgotten: it fell off because it sorts
 * below every saga still on it, and once the list is full a reserve of a saga sorting below its first entry is
 * refused. Saga ids are made to sort by their start ({@link Ids#newOrderedId()}), so only a saga whose reserve
 * arrives after {@value #SETTLED_KEPT} younger sagas settled on that document is refused without having been
 * settled there: it is compensated as any refusal is, and its order can be checked out again.
 */
public final class HoldLedger {

  static final String HOLDS = "holds";
  static final String SETTLED = "settled";
  /** Lowering it is safe; raising it is not: lists that dropped sagas at the old bound would not look full. */
  static final int SETTLED_KEPT = 1024;
  /** Matches a document whose settled list is full: sagas sorting below its first entry may have been dropped. */
  private static final String SETTLED_FULL = SETTLED + "." + (SETTLED_KEPT - 1);
  private static final String SETTLED_FLOOR = SETTLED + ".0";
  /** The amounts all sagas hold on a document, as an aggregation expression (0 without holds). */
  static final JsonObject HELD = new JsonObject().put("$reduce", new JsonObject()
    .put("input", new JsonObject().put("$objectToArray", new JsonObject()
      .put("$ifNull", new JsonArray().add("$" + HOLDS).add(new JsonObject()))))
    .put("initialValue", 0L)
    .put("in", new JsonObject().put("$add", new JsonArray().add("$$value").add("$$this.v.q"))));

  /** What a saga's move on the documents came to; {@code applied}: this call took something new. */
  public record HoldResult(Outcome outcome, String reason, boolean applied) {
    static final HoldResult DONE = new HoldResult(Outcome.DONE, null, false);
    static final HoldResult APPLIED = new HoldResult(Outcome.DONE, null, true);

    static HoldResult refused(String reason) {
      return new HoldResult(Outcome.REFUSED, reason, false);
    }
  }

  private final MongoClient mongo;
  private final String collection;
  private final String balance;
  private final String noun;

  HoldLedger(MongoClient mongo, String collection, String balance, String noun) {
    this.mongo = mongo;
    this.collection = collection;
    this.balance = balance;
    this.noun = noun;
  }

  /** A saga's move on the documents it names, with the amount per document. */
  public record HoldRequest(String sagaId, Move move, Map<String, Long> amounts) {
  }

  public enum Move { RESERVE, RELEASE, CONFIRM }

  /**
   * Applies the moves of distinct sagas together. The first bulk write holds only operations expected to succeed
   * (take the amount; settle a hold), each changing at most one document, so when all of them matched, every move
   * succeeded as intended and nothing needs reading back. Otherwise the documents are read back to tell each move's
   * outcome, sagas without a hold are marked settled, and reserves that could not take everything are released
   * whole (all or nothing) and settled everywhere, so a later copy of such a command takes nothing. Each hold
   * records a token of this call, so a read-back tells a hold made now from one made by an earlier delivery.
   */
  public Future<List<HoldResult>> apply(List<HoldRequest> requests) {
    String token = Ids.newId();
    List<MongoBulk.Update> writes = new ArrayList<>();
    for (HoldRequest request : requests) {
      request.amounts().forEach((id, amount) -> writes.add(primary(request.sagaId(), request.move(), id, amount,
        token)));
    }
    return bulk(writes).compose(matched -> {
      if (matched == writes.size()) {
        return Future.succeededFuture(requests.stream()
          .map(request -> request.move() == Move.RESERVE ? HoldResult.APPLIED : HoldResult.DONE).toList());
      }
      Set<String> ids = new LinkedHashSet<>();
      requests.forEach(request -> ids.addAll(request.amounts().keySet()));
      return readBack(ids).compose(documents -> settleTheRest(requests, documents, token));
    });
  }

  /** The slow path: each move's outcome from the documents, and the marks and releases it calls for. */
  private Future<List<HoldResult>> settleTheRest(List<HoldRequest> requests, Map<String, JsonObject> documents,
                                                 String token) {
    List<HoldResult> results = new ArrayList<>(requests.size());
    List<MongoBulk.Update> writes = new ArrayList<>();
    for (HoldRequest request : requests) {
      HoldResult result = outcome(request, documents, token);
      results.add(result);
      boolean undo = request.move() == Move.RESERVE && result.outcome() == Outcome.REFUSED;
      if (undo || request.move() != Move.RESERVE) {
        request.amounts().forEach((id, amount) -> {
          if (undo) {
            writes.add(primary(request.sagaId(), Move.RELEASE, id, amount, token));
          }
          writes.add(markSettled(request.sagaId(), id));
        });
      }
    }
    return bulk(writes).map(written -> results);
  }

  /** The operation that performs a move on one document, matching only if the move is possible. */
  private MongoBulk.Update primary(String sagaId, Move move, String id, long amount, String token) {
    String hold = HOLDS + "." + sagaId;
    JsonObject settle = new JsonObject()
      .put("$unset", new JsonObject().put(hold, ""))
      .put("$push", settledPush(sagaId));
    return switch (move) {
      case RESERVE -> new MongoBulk.Update(
        BalanceStore.byId(id)
          .put(balance, new JsonObject().put("$gte", amount))
          .put(hold, new JsonObject().put("$exists", false))
          .put(SETTLED, new JsonObject().put("$ne", sagaId))
          .put("$or", new JsonArray()
            .add(new JsonObject().put(SETTLED_FULL, new JsonObject().put("$exists", false)))
            .add(new JsonObject().put(SETTLED_FLOOR, new JsonObject().put("$lt", sagaId)))),
        new JsonObject()
          .put("$inc", new JsonObject().put(balance, -amount))
          .put("$set", new JsonObject().put(hold, new JsonObject().put("q", amount).put("t", token))));
      case RELEASE -> new MongoBulk.Update(
        BalanceStore.byId(id).put(hold + ".q", amount)
          .put(balance, new JsonObject().put("$lte", Long.MAX_VALUE - amount)),
        settle.put("$inc", new JsonObject().put(balance, amount)));
      case CONFIRM -> new MongoBulk.Update(
        BalanceStore.byId(id).put(hold, new JsonObject().put("$exists", true)), settle);
    };
  }

  /** Marks a document without a hold of this saga as settled: a reserve arriving late then takes nothing. */
  private static MongoBulk.Update markSettled(String sagaId, String id) {
    return new MongoBulk.Update(
      BalanceStore.byId(id).put(HOLDS + "." + sagaId, new JsonObject().put("$exists", false))
        .put(SETTLED, new JsonObject().put("$ne", sagaId)),
      new JsonObject().put("$push", settledPush(sagaId)));
  }

  private static JsonObject settledPush(String sagaId) {
    return new JsonObject().put(SETTLED, new JsonObject()
      .put("$each", new JsonArray().add(sagaId)).put("$sort", 1).put("$slice", -SETTLED_KEPT));
  }

  private HoldResult outcome(HoldRequest request, Map<String, JsonObject> documents, String token) {
    String sagaId = request.sagaId();
    if (request.move() != Move.RESERVE) {
      for (String id : request.amounts().keySet()) {
        JsonObject document = documents.get(id);
        if (document != null && holdOf(document, sagaId) != null) {
          return new HoldResult(Outcome.FAILED, "the hold of saga " + sagaId + " on " + noun + " " + id
            + " does not match its command, or returning it would overflow", false);
        }
      }
      return HoldResult.DONE;
    }
    boolean applied = false;
    for (Map.Entry<String, Long> entry : request.amounts().entrySet()) {
      String id = entry.getKey();
      JsonObject document = documents.get(id);
      if (document == null) {
        return HoldResult.refused(noun + " " + id + " not found");
      }
      JsonObject hold = holdOf(document, sagaId);
      if (hold == null) {
        return HoldResult.refused(isSettled(document, sagaId)
          ? "saga " + sagaId + " was already settled for " + noun + " " + id
          : isBelowFloor(document, sagaId)
          ? "saga " + sagaId + " is older than every saga " + noun + " " + id + " remembers settling (the last "
            + SETTLED_KEPT + "); check out again"
          : "insufficient " + balance + ": " + noun + " " + id + " cannot supply " + entry.getValue() + " ("
            + balance + " now " + document.getLong(balance) + ")");
      }
      applied |= token.equals(hold.getString("t"));
    }
    return new HoldResult(Outcome.DONE, null, applied);
  }

  /** Runs the writes in order (a release before its mark); returns how many matched a document. */
  private Future<Long> bulk(List<MongoBulk.Update> writes) {
    return MongoBulk.update(mongo, collection, writes);
  }

  private Future<Map<String, JsonObject>> readBack(Set<String> ids) {
    JsonObject query = new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(new ArrayList<>(ids))));
    FindOptions fields = new FindOptions().setBatchSize(Math.max(1, ids.size()))
      .setFields(new JsonObject().put(balance, 1).put(HOLDS, 1).put(SETTLED, 1));
    return mongo.findWithOptions(collection, query, fields).map(found -> {
      Map<String, JsonObject> byId = new HashMap<>();
      found.forEach(document -> byId.put(document.getString("_id"), document));
      return byId;
    });
  }

  private static JsonObject holdOf(JsonObject document, String sagaId) {
    JsonObject holds = document.getJsonObject(HOLDS);
    return holds == null ? null : holds.getJsonObject(sagaId);
  }

  private static boolean isSettled(JsonObject document, String sagaId) {
    JsonArray settled = document.getJsonArray(SETTLED);
    return settled != null && settled.contains(sagaId);
  }

  /** As the reserve's condition: ids are ASCII, where Java's order of strings is Mongo's. */
  private static boolean isBelowFloor(JsonObject document, String sagaId) {
    JsonArray settled = document.getJsonArray(SETTLED);
    return settled != null && settled.size() >= SETTLED_KEPT && sagaId.compareTo(settled.getString(0)) < 0;
  }

}
