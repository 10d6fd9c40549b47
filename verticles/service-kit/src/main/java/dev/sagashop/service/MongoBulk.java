package dev.sagashop.service;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.MongoClient;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/** Writes of many documents in one command. */
public final class MongoBulk {

  /** One single-document update: the document {@code filter} matches gets {@code update}. */
  public record Update(JsonObject filter, JsonObject update) {
  }

  /**
   * Small enough that making and encoding one chunk keeps the event loop only briefly (a whole batch_init in one go
   * blocked it for seconds, and the supervisor took the silent verticle for dead), and far below the server's
   * message limit.
   */
  private static final int CHUNK = 2_000;

  private MongoBulk() {
  }

  /**
   * Applies the updates in order, each to at most one document, in one {@code update} command; returns how many
   * matched a document. Sent through {@code runCommand}, which encodes the JSON objects straight to BSON: the Vert.x
   * client's bulk write turns every operation into JSON text and parses it back, which was most of the Mongo
   * driver's time and a good part of the event loops' under checkout load. A write error fails the whole call (the
   * updates before it are applied; the caller's updates are idempotent and it applies them again).
   */
  public static Future<Long> update(MongoClient mongo, String collection, List<Update> updates) {
    if (updates.isEmpty()) {
      return Future.succeededFuture(0L);
    }
    JsonArray statements = new JsonArray(new ArrayList<>(updates.size()));
    for (Update update : updates) {
      statements.add(new JsonObject().put("q", update.filter()).put("u", update.update()));
    }
    return mongo.runCommand("update", new JsonObject().put("update", collection).put("updates", statements)
        .put("ordered", true))
      .compose(reply -> {
        JsonArray errors = reply.getJsonArray("writeErrors");
        if (errors != null && !errors.isEmpty() || reply.containsKey("writeConcernError")) {
          return Future.failedFuture(new MongoBulkException(collection, reply));
        }
        return Future.succeededFuture(reply.getNumber("n").longValue());
      });
  }

  /** Creates or replaces documents {@code 0..count-1}, each by its {@code _id}; one chunk after the other. */
  public static Future<Void> replaceAll(MongoClient mongo, String collection, long count,
                                        LongFunction<JsonObject> document) {
    return replaceFrom(mongo, collection, 0, count, document);
  }

  private static Future<Void> replaceFrom(MongoClient mongo, String collection, long from, long count,
                                          LongFunction<JsonObject> document) {
    if (from >= count) {
      return Future.succeededFuture();
    }
    long to = Math.min(count, from + CHUNK);
    List<BulkOperation> operations = new ArrayList<>((int) (to - from));
    for (long i = from; i < to; i++) {
      JsonObject made = document.apply(i);
      operations.add(BulkOperation.createReplace(new JsonObject().put("_id", made.getValue("_id")), made, true));
    }
    return mongo.bulkWriteWithOptions(collection, operations, new BulkWriteOptions().setOrdered(false))
      .compose(written -> replaceFrom(mongo, collection, to, count, document));
  }
}
