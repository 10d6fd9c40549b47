package dev.sagashop.service;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.MongoClient;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/** Bulk writes of many documents, made and sent a chunk at a time. */
public final class MongoBulk {

  /**
   * Small enough that making and encoding one chunk keeps the event loop only briefly (a whole batch_init in one go
   * blocked it for seconds, and the supervisor took the silent verticle for dead), and far below the server's
   * message limit.
   */
  private static final int CHUNK = 2_000;

  private MongoBulk() {
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
