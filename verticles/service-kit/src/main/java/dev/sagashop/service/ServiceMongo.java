package dev.sagashop.service;

import dev.sagashop.contracts.ConfigKeys;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import dev.sagashop.messaging.supervision.Failures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.impl.codec.json.JsonObjectCodec;
import org.bson.codecs.BooleanCodec;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.DoubleCodec;
import org.bson.codecs.IntegerCodec;
import org.bson.codecs.LongCodec;
import org.bson.codecs.StringCodec;
import org.bson.codecs.configuration.CodecRegistries;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Each service owns one Mongo database; this opens it with the deadlines every remote call must have. */
public final class ServiceMongo {

  /** A failure that means the database (or Kafka) is away rather than a bug: for a service's {@code Lifeline}. */
  public static final Predicate<Throwable> DEPENDENCY_AWAY = Failures.or(failure ->
    failure instanceof MongoSocketException || failure instanceof MongoTimeoutException
      || failure instanceof MongoNotPrimaryException || failure instanceof MongoNodeIsRecoveringException);

  private ServiceMongo() {
  }

  /** A client for the service's operations (its HTTP callers): {@code MONGO_POOL_SIZE} connections. */
  public static MongoClient client(Vertx vertx, JsonObject config, String service) {
    return open(vertx, config, service, "mongo-" + service, Settings.integer(config, "MONGO_POOL_SIZE", 16, 1, 1_000));
  }

  /**
   * A client with connections of its own for the service's saga participant ({@code MONGO_SAGA_POOL_SIZE}; it
   * applies one batch at a time). Sharing the callers' pool, a batch queued behind every caller waiting for a
   * connection: after a frozen database, hundreds of reads and checkouts, most of them given up on already, went
   * ahead of the sagas that would let the waiting checkouts finish.
   */
  public static MongoClient sagaClient(Vertx vertx, JsonObject config, String service) {
    return open(vertx, config, service, "mongo-" + service + "-sagas",
      Settings.integer(config, "MONGO_SAGA_POOL_SIZE", 2, 1, 1_000));
  }

  /**
   * A client for {@code <service>}'s own database, named by {@code <SERVICE>_DATABASE} (default: the service).
   *
   * <p>The driver settings are built here rather than by the Vert.x client, which would route the driver through
   * its Netty transport: that transport encodes every command byte by byte through Netty's buffer checks
   * (docs/PERFORMANCE.md); the driver's own transport does not.
   */
  private static MongoClient open(Vertx vertx, JsonObject config, String service, String dataSource, int poolSize) {
    String url = Settings.string(config, ConfigKeys.MONGO_URL, null);
    if (url == null) {
      throw new IllegalStateException(ConfigKeys.MONGO_URL
        + " is not set: the launcher sets it, or the configuration must");
    }
    String database = Settings.string(config, service.toUpperCase() + "_DATABASE", service);
    long timeout = timeoutMs(config);
    JsonObject clientConfig = new JsonObject().put("db_name", database);
    MongoClientSettings settings = MongoClientSettings.builder()
      // The codecs the Vert.x client would register: JSON objects in and out.
      .codecRegistry(CodecRegistries.fromRegistries(
        CodecRegistries.fromCodecs(new StringCodec(), new IntegerCodec(), new BooleanCodec(), new DoubleCodec(),
          new LongCodec(), new BsonDocumentCodec(), new DocumentCodec()),
        CodecRegistries.fromCodecs(new JsonObjectCodec(clientConfig))))
      .applyConnectionString(new ConnectionString(url))
      .applyToConnectionPoolSettings(pool -> pool
        .maxSize(poolSize)
        .maxWaitTime(timeout, TimeUnit.MILLISECONDS))
      // Fail fast while the database is down instead of queueing callers for the driver's default 30 s.
      .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(timeout, TimeUnit.MILLISECONDS))
      .applyToSocketSettings(socket -> socket
        .connectTimeout((int) timeout, TimeUnit.MILLISECONDS)
        .readTimeout((int) (4 * timeout), TimeUnit.MILLISECONDS))
      .build();
    return MongoClient.createWithMongoSettings(vertx, clientConfig, dataSource, settings);
  }

  /** How long a call may wait for a connection, or for the database to be found ({@code MONGO_TIMEOUT_MS}). */
  public static long timeoutMs(JsonObject config) {
    return Settings.number(config, "MONGO_TIMEOUT_MS", 5000, 1, Integer.MAX_VALUE);
  }

  /** Pings the database; a failure becomes a 503 that says the service cannot reach it. */
  public static Future<JsonObject> ping(MongoClient mongo, String service) {
    return mongo.runCommand("ping", new JsonObject().put("ping", 1))
      .map(pong -> new JsonObject().put("database", "UP"))
      .recover(failure -> Future.failedFuture(
        ServiceException.unavailable(service + " cannot reach its database: " + failure.getMessage())));
  }
}
