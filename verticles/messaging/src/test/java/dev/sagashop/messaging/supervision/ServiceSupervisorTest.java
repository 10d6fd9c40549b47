package dev.sagashop.messaging.supervision;

import dev.sagashop.contracts.Supervision;
import dev.sagashop.messaging.supervision.ServiceSupervisor.Child;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The supervisor over plain verticles on one Vert.x: no Kafka, no database. */
class ServiceSupervisorTest {

  private static final List<String> SERVICES = List.of("payment", "stock");
  /** Longer than a ping period, as a service draining its in-hand batch and closing its consumer can take. */
  private static final long STOP_MS = ServiceSupervisor.PING_EVERY_MS + 500;

  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() {
    vertx.close().await();
  }

  /** Answers its service's pings; once asked to stop, answers none and takes {@link #STOP_MS} to finish. */
  private static final class SlowToStop extends VerticleBase {
    private final String service;
    private MessageConsumer<JsonObject> ping;

    SlowToStop(String service) {
      this.service = service;
    }

    @Override
    public Future<?> start() {
      ping = vertx.eventBus().consumer(Supervision.ping(service),
        message -> message.reply(new JsonObject().put("status", "UP")));
      return ping.completion();
    }

    @Override
    public Future<?> stop() {
      Promise<Void> drained = Promise.promise();
      ping.unregister().onComplete(gone -> vertx.setTimer(STOP_MS, timer -> drained.complete()));
      return drained.future();
    }
  }

  @Test
  @DisplayName("pausing every child, as a stopping process does, takes each down once and brings none back while "
    + "they take longer than a ping to stop")
  void pauseAllBringsNothingBack() throws InterruptedException {
    Map<String, AtomicInteger> made = new ConcurrentHashMap<>();
    ServiceSupervisor supervisor = new ServiceSupervisor(SERVICES.stream()
      .map(service -> new Child(service, () -> {
        made.computeIfAbsent(service, s -> new AtomicInteger()).incrementAndGet();
        return new SlowToStop(service);
      }, new DeploymentOptions()))
      .toList());
    vertx.deployVerticle(supervisor).await();

    supervisor.pauseAll().await();
    // Long enough for a ping to find a child gone and for its first backoff to run out.
    Thread.sleep(ServiceSupervisor.PING_EVERY_MS + ServiceSupervisor.FIRST_BACKOFF_MS + 500);

    Map<String, Integer> counts = new TreeMap<>();
    made.forEach((service, count) -> counts.put(service, count.get()));
    assertEquals(Map.of("payment", 1, "stock", 1), counts, "verticles made per service");
    JsonObject verticles = vertx.eventBus().<JsonObject>request(Supervision.STATUS, new JsonObject()).await().body()
      .getJsonObject("verticles");
    for (String service : SERVICES) {
      JsonObject child = verticles.getJsonObject(service);
      assertEquals("PAUSED", child.getString("state"), service);
      assertEquals(0, child.getInteger("restarts"), service);
    }
  }
}
