package dev.sagashop.gateway;

import dev.sagashop.contracts.Services;
import dev.sagashop.contracts.Supervision;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code /health/ready}: 200 once every given service answers its health operation (which reaches that service's
 * database, and Kafka where it needs it; the saga coordinator's reaches MySQL and Kafka), 503 with the reasons
 * otherwise. A service that is not deployed has no health handler, so it counts as not ready too. Where this process
 * has a supervisor, its view (each verticle's state and restart count) is part of the answer.
 */
final class Readiness {

  private static final long DEADLINE_MS = 2_000;

  private final HealthChecks checks;

  Readiness(Vertx vertx, ServiceClient services, List<String> serviceNames) {
    checks = HealthChecks.create(vertx);
    DeliveryOptions deadline = new DeliveryOptions().setSendTimeout(DEADLINE_MS);
    for (String service : serviceNames) {
      checks.register(service, DEADLINE_MS, promise -> services
        .call(Services.health(service), new JsonObject(), deadline)
        .onSuccess(reply -> promise.complete(Status.OK(reply)))
        .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("reason", failure.getMessage())))));
    }
    checks.register("supervisor", DEADLINE_MS, promise -> supervision(vertx)
      .onSuccess(status -> promise.complete(status == null ? Status.OK()
        : status.getJsonObject("verticles").stream().allMatch(v -> Supervision.State.RUNNING.name()
          .equals(((JsonObject) v.getValue()).getString("state"))) ? Status.OK(status)
          : Status.KO(status.put("reason", "a verticle is restarting"))))
      .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("reason", failure.getMessage())))));
  }

  /** What this process's supervisor sees; null where this process has none. */
  static Future<JsonObject> supervision(Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(Supervision.STATUS, new JsonObject(),
        new DeliveryOptions().setSendTimeout(DEADLINE_MS))
      .map(reply -> reply.body())
      .recover(failure -> failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
        ? Future.succeededFuture() : Future.failedFuture(failure));
  }

  void handle(RoutingContext ctx) {
    checks.checkStatus().onSuccess(result -> {
      JsonObject body = result.toJson();
      if (CheckResult.isUp(result)) {
        ctx.json(body);
      } else {
        ctx.response().setStatusCode(503);
        ctx.json(body.put("error", "not ready: " + result.getChecks().stream()
          .filter(check -> !CheckResult.isUp(check))
          .map(check -> check.getId() + " (" + reason(check) + ")")
          .collect(Collectors.joining(", "))));
      }
    }).onFailure(ctx::fail);
  }

  private static String reason(CheckResult check) {
    JsonObject data = check.getData();
    return data != null && data.containsKey("reason") ? data.getString("reason") : "no answer";
  }
}
