package dev.sagashop.messaging;

import dev.sagashop.contracts.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kafka health probe when the broker's answer never comes. */
class KafkaProbeTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private JsonObject checkOnContext(KafkaProbe probe) {
    Promise<JsonObject> result = Promise.promise();
    vertx.runOnContext(v -> probe.check().onComplete(result));
    return result.future().await();
  }

  @Test
  @Timeout(20)
  @DisplayName("a question the broker never answers fails within the deadline, and the next check asks afresh")
  void anUnansweredProbeDoesNotHoldLaterChecks() {
    AtomicInteger asked = new AtomicInteger();
    KafkaProbe probe = new KafkaProbe(() -> asked.incrementAndGet() == 1 ? Promise.promise().future()
      : Future.succeededFuture());
    long started = System.nanoTime();
    ServiceException hung = assertThrows(ServiceException.class, () -> checkOnContext(probe));
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals(503, hung.status());
    assertTrue(tookMs < KafkaProbe.DEADLINE_MS + 1_000, "answered after " + tookMs + " ms");
    assertEquals("UP", checkOnContext(probe).getString("kafka"), "the broker answers the second question");
    assertEquals(2, asked.get());
  }
}
