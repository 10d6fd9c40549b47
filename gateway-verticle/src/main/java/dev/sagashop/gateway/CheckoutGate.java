package dev.sagashop.gateway;

import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.SagaApi;
import dev.sagashop.contracts.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A checkout needs Kafka, the order database and the saga journal (MySQL), and would otherwise wait out its whole
 * deadline while one is down. So the gateway watches the order and saga services' health every
 * {@value #EVERY_MS} ms and refuses checkouts at once with a 503 naming what is missing until it is back.
 * Unknown counts as up: only a failed check closes the gate.
 */
final class CheckoutGate {

  static final long EVERY_MS = 1_000;

  private final Vertx vertx;
  private final ServiceClient services;
  private final long timer;
  private final DeliveryOptions deadline = new DeliveryOptions().setSendTimeout(2_000);
  private Future<Void> probing;
  private String missing;

  CheckoutGate(Vertx vertx, ServiceClient services) {
    this.vertx = vertx;
    this.services = services;
    timer = vertx.setPeriodic(EVERY_MS, tick -> probe());
  }

  /**
   * Succeeds if a checkout may go ahead; fails with a 503 naming what is missing otherwise. While the gate is
   * closed, a checkout looks again (sharing one probe with its peers), so it reopens as soon as all is back.
   */
  Future<Void> admit() {
    if (missing == null) {
      return Future.succeededFuture();
    }
    return probe().compose(done -> missing == null ? Future.<Void>succeededFuture()
      : Future.failedFuture(ServiceException.unavailable("checkout is unavailable right now: " + missing)));
  }

  private Future<Void> probe() {
    if (probing == null) {
      List<Future<JsonObject>> checks = List.of(
        services.call(OrderApi.HEALTH, new JsonObject(), deadline),
        services.call(SagaApi.HEALTH, new JsonObject(), deadline));
      Future<Void> probe = Future.join(checks).transform(done -> {
        missing = checks.stream().filter(Future::failed).map(check -> check.cause().getMessage())
          .reduce((a, b) -> a + "; " + b).orElse(null);
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
