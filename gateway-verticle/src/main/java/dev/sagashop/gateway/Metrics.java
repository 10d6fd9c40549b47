package dev.sagashop.gateway;

import dev.sagashop.contracts.Supervision;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * {@code /metrics} in the Prometheus text format: supervised verticles' restarts and state, open circuits, GC pauses.
 */
final class Metrics {

  private Metrics() {
  }

  static void handle(RoutingContext ctx, Vertx vertx, Map<String, Boolean> circuits) {
    Readiness.supervision(vertx).onComplete(status -> {
      StringBuilder text = new StringBuilder();
      JsonObject verticles = status.succeeded() && status.result() != null
        ? status.result().getJsonObject("verticles") : new JsonObject();
      text.append("# HELP saga_shop_verticle_restarts_total Restarts of a supervised verticle by its supervisor.\n")
        .append("# TYPE saga_shop_verticle_restarts_total counter\n");
      verticles.forEach(entry -> text.append("saga_shop_verticle_restarts_total{verticle=\"").append(entry.getKey())
        .append("\"} ").append(((JsonObject) entry.getValue()).getInteger("restarts")).append('\n'));
      text.append("# HELP saga_shop_verticle_up Whether a supervised verticle is running (1) or restarting (0).\n")
        .append("# TYPE saga_shop_verticle_up gauge\n");
      verticles.forEach(entry -> text.append("saga_shop_verticle_up{verticle=\"").append(entry.getKey())
        .append("\"} ")
        .append(Supervision.State.RUNNING.name().equals(((JsonObject) entry.getValue()).getString("state")) ? 1 : 0)
        .append('\n'));
      if (!circuits.isEmpty()) {
        text.append("# HELP saga_shop_circuit_open Whether calls to a service fail fast (1) for its recent failures.\n")
          .append("# TYPE saga_shop_circuit_open gauge\n");
        circuits.forEach((service, open) -> text.append("saga_shop_circuit_open{service=\"").append(service)
          .append("\"} ").append(open ? 1 : 0).append('\n'));
      }
      GcPauses.jvm().appendTo(text);
      ctx.response().putHeader("content-type", "text/plain; version=0.0.4").end(text.toString());
    });
  }
}
