package dev.sagashop.messaging;

import dev.sagashop.contracts.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Asks the broker whether it is there, within {@value #DEADLINE_MS} ms. A quiet producer cannot tell: it only learns
 * the broker is gone when a send times out, long after callers should have been told 503.
 *
 * <p>The question is a topic listing, and it is bounded here, not only by the admin client: Vert.x's
 * {@code describeCluster} never completes when the broker reports no controller (as one resuming from a freeze
 * does), and a probe that never completes would hold every later health check, and so every checkout, forever.
 */
public final class KafkaProbe {

  static final long DEADLINE_MS = 2_000;

  private final Supplier<Future<?>> ask;
  private final Supplier<Future<Void>> close;
  private Future<JsonObject> inFlight;

  public KafkaProbe(Vertx vertx, JsonObject config) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, KafkaSettings.admin(config, 1_500, DEADLINE_MS));
    this.ask = admin::listTopics;
    this.close = admin::close;
  }

  /** Asks with {@code ask}; for tests of the probe itself. */
  KafkaProbe(Supplier<Future<?>> ask) {
    this.ask = ask;
    this.close = Future::succeededFuture;
  }

  /** {kafka: "UP"}, or a 503 naming the broker as unreachable. Concurrent callers share one probe. */
  public Future<JsonObject> check() {
    if (inFlight == null) {
      inFlight = ask.get().timeout(DEADLINE_MS, TimeUnit.MILLISECONDS)
        .map(answered -> new JsonObject().put("kafka", "UP"))
        .recover(failure -> Future.failedFuture(ServiceException.unavailable("Kafka is unreachable: "
          + failure.getMessage())))
        .andThen(done -> inFlight = null);
    }
    return inFlight;
  }

  public Future<Void> close() {
    return close.get();
  }
}
