package dev.sagashop.service;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.MongoClient;

import java.util.ArrayList;
import java.util.List;

/** Bulk writes, in chunks so that no single command grows past the server's message limit. */
public final class MongoBulk {

  private static final int CHUNK = 10_000;

  private MongoBulk() {
  }

  /** Creates or replaces each document by its {@code _id}; chunks are sent concurrently. */
  public static Future<Void> replaceAll(MongoClient mongo, String collection, List<JsonObject> documents) {
    List<Future<?>> chunks = new ArrayList<>();
    for (int from = 0; from < documents.size(); from += CHUNK) {
      List<BulkOperation> operations = new ArrayList<>(CHUNK);
      for (JsonObject document : documents.subList(from, Math.min(documents.size(), from + CHUNK))) {
        operations.add(BulkOperation.createReplace(new JsonObject().put("_id", document.getValue("_id")), document, true));
      }
      chunks.add(mongo.bulkWriteWithOptions(collection, operations, new BulkWriteOptions().setOrdered(false)));
    }
    return Future.all(chunks).mapEmpty();
  }
}
