package dev.sagashop.gateway;

import dev.sagashop.contracts.Amounts;
import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.List;


/**
 * The HTTP face of a process that runs service roles but no gateway (one pod per role on Kubernetes): the gateway
 * of another process calls the services' operations through {@code POST /ops/<address>}, and probes see
 * {@code /health/live}, {@code /health/ready} and {@code /metrics}. Only the local services' operations are served.
 * Meant for the cluster's internal network, never for the public.
 */
public class RoleServer extends VerticleBase {


  private final List<String> services;
  private Listen listen;
  private ServiceClient local;

  /** {@code services}: the roles of this process, by service name ("stock", "saga", ...). */
  public RoleServer(List<String> services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    local = ServiceClient.inProcess(vertx, config());
    Readiness readiness = new Readiness(vertx, local, services);
    // As long as a caller may wait: a checkout, or the largest batch_init.
    long callerTimeout = Math.max(Settings.millis(config(), ConfigKeys.CHECKOUT_TIMEOUT_MS, 60_000),
      ServiceClient.batchTimeoutMs(Settings.millis(config(), ConfigKeys.REQUEST_TIMEOUT_MS, 10_000),
        Amounts.MAX_BATCH));
    Router router = Router.router(vertx);
    router.post(ServiceClient.OPERATIONS + ":address").handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.post(ServiceClient.OPERATIONS + ":address").handler(ctx -> operation(ctx, local, callerTimeout));
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(readiness::handle);
    router.get("/metrics").handler(PrometheusScrapingHandler.create());
    router.route().failureHandler(HttpErrors::fail);
    return Listen.on(vertx, router, config(), ConfigKeys.ROLE_PORT, 8080).onSuccess(listening -> listen = listening);
  }

  @Override
  public Future<?> stop() {
    return (listen == null ? Future.<Void>succeededFuture() : listen.drain()).eventually(() -> {
      local.close();
      return Future.succeededFuture();
    });
  }

  private void operation(RoutingContext ctx, ServiceClient local, long callerTimeout) {
    String address = ctx.pathParam("address");
    String service = address.contains(".") ? address.substring(0, address.indexOf('.')) : "";
    if (!services.contains(service)) {
      HttpErrors.error(ctx, 404, "this process runs no " + service + " service");
      return;
    }
    JsonObject request;
    try {
      request = ctx.body().length() == 0 ? new JsonObject() : ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      HttpErrors.error(ctx, 400, "the request body is not a JSON object");
      return;
    }
    // The caller's own deadline governs; this one only bounds a call nobody waits for any more.
    local.call(address, request, new DeliveryOptions().setSendTimeout(callerTimeout))
      .onSuccess(ctx::json)
      .onFailure(failure -> HttpErrors.error(ctx, failure instanceof ServiceException refusal
        ? refusal.status() : 500, failure.getMessage()));
  }
}
