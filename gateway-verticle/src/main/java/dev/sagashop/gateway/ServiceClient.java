package dev.sagashop.gateway;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Services;
import dev.sagashop.contracts.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Calls service operations — over the event bus when the service runs in this process, over HTTP to its
 * {@link RoleServer} when {@code <SERVICE>_URL} names another process — and turns every way a call can fail into a
 * {@link ServiceException} with the status the HTTP caller should see: the service's own refusal as it is, no
 * service as 503, no answer in time as 504. A {@link Breaker} per service makes calls to a service that keeps
 * failing fail fast with a 503.
 */
final class ServiceClient {

  /** Where a {@link RoleServer} serves the operations of its process: {@code POST /ops/<address>}. */
  static final String OPERATIONS = "/ops/";

  private final Vertx vertx;
  private final DeliveryOptions defaults;
  private final Map<String, URI> remote = new HashMap<>();
  private final Map<String, Breaker> breakers = new HashMap<>();
  private HttpClient http;

  /** Calls each service where {@code <SERVICE>_URL} says, or in this process. */
  ServiceClient(Vertx vertx, JsonObject config) {
    this(vertx, config, true);
  }

  /** Calls services in this process only, whatever the configuration says. */
  static ServiceClient inProcess(Vertx vertx, JsonObject config) {
    return new ServiceClient(vertx, config, false);
  }

  private ServiceClient(Vertx vertx, JsonObject config, boolean remoteAllowed) {
    this.vertx = vertx;
    this.defaults = new DeliveryOptions()
      .setSendTimeout(Settings.number(config, ConfigKeys.REQUEST_TIMEOUT_MS, 10_000));
    for (String service : remoteAllowed ? Services.ALL : List.<String>of()) {
      String url = Settings.string(config, ConfigKeys.url(service), null);
      if (url != null) {
        remote.put(service, URI.create(url));
      }
    }
    if (!remote.isEmpty()) {
      http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
        .setConnectTimeout(2_000), new PoolOptions().setHttp1MaxSize(64));
    }
  }

  Future<JsonObject> call(String operation, JsonObject request) {
    return call(operation, request, defaults);
  }

  Future<JsonObject> call(String operation, JsonObject request, DeliveryOptions options) {
    String service = operation.substring(0, operation.indexOf('.'));
    Breaker breaker = breakers.computeIfAbsent(service, s -> new Breaker());
    // A call that may wait long (a checkout waits for its saga) says little about the service's health, and as the
    // trial it would hold the circuit open for as long as it waits: it neither counts nor serves as the trial.
    boolean longWait = options.getSendTimeout() > defaults.getSendTimeout();
    if (longWait ? !breaker.closed() : !breaker.allows()) {
      return Future.failedFuture(ServiceException.unavailable("the " + service + " service is failing; "
        + "not calling it for up to " + Breaker.OPEN_MS + " ms"));
    }
    URI url = remote.get(service);
    Future<JsonObject> reply = url == null ? local(service, operation, request, options)
      : overHttp(url, service, operation, request, options.getSendTimeout());
    if (longWait) {
      return reply;
    }
    return reply.andThen(result -> {
      if (result.succeeded() || !(result.cause() instanceof ServiceException refusal) || refusal.status() < 500) {
        breaker.succeeded();
      } else {
        breaker.failed();
      }
    });
  }

  /** A batch_init of {@code n} records may take 0.2 ms a record on top of the usual deadline (docs/PERFORMANCE.md). */
  static long batchTimeoutMs(long requestTimeoutMs, long n) {
    return requestTimeoutMs + n / 5;
  }

  /** Per service: whether its circuit is open now (for /metrics). */
  Map<String, Boolean> circuits() {
    Map<String, Boolean> open = new HashMap<>();
    breakers.forEach((service, breaker) -> open.put(service, breaker.open()));
    return open;
  }

  private Future<JsonObject> local(String service, String operation, JsonObject request, DeliveryOptions options) {
    return vertx.eventBus().<JsonObject>request(operation, request, options)
      .map(reply -> reply.body())
      .recover(failure -> Future.failedFuture(refusal(service, operation, options.getSendTimeout(), failure)));
  }

  private Future<JsonObject> overHttp(URI url, String service, String operation, JsonObject request, long timeout) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost())
      .setPort(url.getPort() > 0 ? url.getPort() : 80).setURI(OPERATIONS + operation)
      .setIdleTimeout(timeout);
    return http.request(options)
      .compose(call -> call.send(request.toBuffer()))
      .compose(response -> response.body().map(body -> {
        JsonObject json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
        if (response.statusCode() == 200) {
          return json;
        }
        throw new ServiceException(response.statusCode(), json.getString("error", operation + " failed"));
      }))
      .recover(failure -> Future.failedFuture(failure instanceof ServiceException refusal ? refusal
        : failure instanceof TimeoutException || failure.getMessage() != null && failure.getMessage().contains("timeout")
          ? new ServiceException(504, "the " + service + " service did not answer within " + timeout + " ms")
          : ServiceException.unavailable("the " + service + " service is unreachable: " + failure.getMessage())));
  }

  private static ServiceException refusal(String service, String operation, long timeout, Throwable failure) {
    if (!(failure instanceof ReplyException reply)) {
      return new ServiceException(500, operation + " failed: " + failure.getMessage());
    }
    return switch (reply.failureType()) {
      case RECIPIENT_FAILURE -> new ServiceException(reply.failureCode(), reply.getMessage());
      case NO_HANDLERS -> ServiceException.unavailable("the " + service + " service is not running");
      case TIMEOUT -> new ServiceException(504, "the " + service + " service did not answer within " + timeout + " ms");
      default -> new ServiceException(502, operation + " failed: " + reply.getMessage());
    };
  }
}
