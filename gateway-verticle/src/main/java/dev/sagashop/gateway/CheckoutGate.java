package dev.sagashop.gateway;

import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.SagaApi;
import dev.sagashop.contracts.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A checkout needs Kafka, the order database and the saga journal (MySQL), and would otherwise wait out its whole
 * deadline while one is down. So the gateway watches the order and saga services' health every
 * {@value #EVERY_MS} ms and refuses checkouts at once with a 503 naming what is missing until it is back. Once
 * closed, it looks every {@value #CLOSED_EVERY_MS} ms, so it opens soon after what was missing comes back.
 * Unknown counts as up: only a failed check closes the gate.
 */
final class CheckoutGate {

  private static final Logger log = LoggerFactory.getLogger(CheckoutGate.class);

  static final long EVERY_MS = 1_000;
  static final long CLOSED_EVERY_MS = 250;
  /** How long the periodic look waits for an answer, and how long a checkout at a closed gate waits for its own. */
  static final long LOOK_MS = 2_000;
  static final long TRIAL_MS = 300;

  private final Vertx vertx;
  private final ServiceClient services;
  private final long timer;
  private Future<Void> probing;
  private String missing;
  private long ticks;

  CheckoutGate(Vertx vertx, ServiceClient services) {
    this.vertx = vertx;
    this.services = services;
    timer = vertx.setPeriodic(CLOSED_EVERY_MS, tick -> {
      if (missing != null || ++ticks % (EVERY_MS / CLOSED_EVERY_MS) == 0) {
        probe(LOOK_MS);
      }
    });
  }

  /**
   * Succeeds if a checkout may go ahead; fails with a 503 naming what is missing otherwise. While the gate is
   * closed a checkout is refused at once if a look is under way (the dependency is slow to answer: still away), or
   * else looks again for at most {@value #TRIAL_MS} ms, so the gate reopens as soon as all is back.
   */
  Future<Void> admit() {
    if (missing == null) {
      return Future.succeededFuture();
    }
    Future<Void> look = probing != null ? Future.failedFuture("probing") : probe(TRIAL_MS);
    return look.transform(done -> missing == null ? Future.<Void>succeededFuture()
      : Future.failedFuture(ServiceException.unavailable("checkout is unavailable right now: " + missing)));
  }

  private Future<Void> probe(long deadlineMs) {
    if (probing == null) {
      DeliveryOptions deadline = new DeliveryOptions().setSendTimeout(deadlineMs);
      List<Future<JsonObject>> checks = List.of(
        services.call(OrderApi.HEALTH, new JsonObject(), deadline),
        services.call(SagaApi.HEALTH, new JsonObject(), deadline));
      Future<Void> probe = Future.join(checks).transform(done -> {
        String was = missing;
        missing = checks.stream().filter(Future::failed).map(check -> check.cause().getMessage())
          .reduce((a, b) -> a + "; " + b).orElse(null);
        if (was == null && missing != null) {
          log.warn("refusing checkouts: {}", missing);
        } else if (was != null && missing == null) {
          log.info("admitting checkouts again");
        }
        probing = null;
        return Future.succeededFuture();
      });
      // Checks that fail at once (an open circuit) complete the probe before this line: nothing to share then.
      if (!probe.isComplete()) {
        probing = probe;
      }
      return probe;
    }
    return probing;
  }

  void close() {
    vertx.cancelTimer(timer);
  }
}
