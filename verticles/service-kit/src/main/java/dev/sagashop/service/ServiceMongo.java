package dev.sagashop.service;

import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;

/** Each service owns one Mongo database; this opens it with the deadlines every remote call must have. */
public final class ServiceMongo {

  public static final String MONGO_URL = "MONGO_URL";

  private ServiceMongo() {
  }

  /** A client for {@code <service>}'s own database, named by {@code <SERVICE>_DATABASE} (default: the service). */
  public static MongoClient client(Vertx vertx, JsonObject config, String service) {
    String url = Settings.string(config, MONGO_URL, null);
    if (url == null) {
      throw new IllegalStateException(MONGO_URL + " is not set: the launcher sets it, or the configuration must");
    }
    String database = Settings.string(config, service.toUpperCase() + "_DATABASE", service);
    long timeout = Settings.number(config, "MONGO_TIMEOUT_MS", 5000);
    JsonObject options = new JsonObject()
      .put("connection_string", url)
      .put("db_name", database)
      .put("maxPoolSize", Settings.integer(config, "MONGO_POOL_SIZE", 16))
      // Fail fast while the database is down instead of queueing callers for the driver's default 30 s.
      .put("serverSelectionTimeoutMS", timeout)
      .put("connectTimeoutMS", timeout)
      .put("socketTimeoutMS", 4 * timeout)
      .put("waitQueueTimeoutMS", timeout);
    return MongoClient.createShared(vertx, options, "mongo-" + service);
  }

  /** Pings the database; a failure becomes a 503 that says the service cannot reach it. */
  public static Future<JsonObject> ping(MongoClient mongo, String service) {
    return mongo.runCommand("ping", new JsonObject().put("ping", 1))
      .map(pong -> new JsonObject().put("database", "UP"))
      .recover(failure -> Future.failedFuture(
        ServiceException.unavailable(service + " cannot reach its database: " + failure.getMessage())));
  }
}
