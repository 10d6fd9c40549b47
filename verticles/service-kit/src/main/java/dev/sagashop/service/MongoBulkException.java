package dev.sagashop.service;

import io.vertx.core.json.JsonObject;

/** A bulk update the database refused, in part or whole: its write errors, as the database reported them. */
public final class MongoBulkException extends RuntimeException {

  public MongoBulkException(String collection, JsonObject reply) {
    super("update of " + collection + " failed: " + reply.getValue("writeErrors", reply.getValue("writeConcernError")));
  }
}
