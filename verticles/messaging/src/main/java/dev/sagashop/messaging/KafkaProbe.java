package dev.sagashop.messaging;

import dev.sagashop.contracts.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;

import java.util.Map;

/**
 * Asks the broker whether it is there, within two seconds. A quiet producer cannot tell: it only learns the broker
 * is gone when a send times out, long after callers should have been told 503.
 */
public final class KafkaProbe {

  private final KafkaAdminClient admin;
  private Future<JsonObject> inFlight;

  public KafkaProbe(Vertx vertx, JsonObject config) {
    admin = KafkaAdminClient.create(vertx, Map.of(
      "bootstrap.servers", KafkaSettings.bootstrap(config),
      "request.timeout.ms", "1500",
      "default.api.timeout.ms", "2000",
      "reconnect.backoff.max.ms", "1000"));
  }

  /** {kafka: "UP"}, or a 503 naming the broker as unreachable. Concurrent callers share one probe. */
  public Future<JsonObject> check() {
    if (inFlight == null) {
      inFlight = admin.describeCluster()
        .map(cluster -> new JsonObject().put("kafka", "UP"))
        .recover(failure -> Future.failedFuture(ServiceException.unavailable("Kafka is unreachable: "
          + failure.getMessage())))
        .andThen(done -> inFlight = null);
    }
    return inFlight;
  }

  public Future<Void> close() {
    return admin.close();
  }
}
