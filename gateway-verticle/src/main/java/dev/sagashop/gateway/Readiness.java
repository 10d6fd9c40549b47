package dev.sagashop.gateway;

import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.PaymentApi;
import dev.sagashop.contracts.SagaApi;
import dev.sagashop.contracts.StockApi;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code /health/ready}: 200 once every service answers its health operation (which reaches that service's
 * database; the saga coordinator's reaches MySQL and Kafka), 503 with the reasons otherwise. A service that is not deployed has no health handler, so it counts
 * as not ready too.
 */
final class Readiness {

  private static final long DEADLINE_MS = 2_000;

  private final HealthChecks checks;

  Readiness(Vertx vertx, ServiceClient services) {
    checks = HealthChecks.create(vertx);
    DeliveryOptions deadline = new DeliveryOptions().setSendTimeout(DEADLINE_MS);
    for (String operation : List.of(OrderApi.HEALTH, StockApi.HEALTH, PaymentApi.HEALTH, SagaApi.HEALTH)) {
      String service = operation.substring(0, operation.indexOf('.'));
      checks.register(service, DEADLINE_MS, promise -> services.call(operation, new JsonObject(), deadline)
        .onSuccess(reply -> promise.complete(Status.OK(reply)))
        .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("reason", failure.getMessage())))));
    }
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
