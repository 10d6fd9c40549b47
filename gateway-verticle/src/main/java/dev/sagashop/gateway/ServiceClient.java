package dev.sagashop.gateway;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Meters;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Services;
import dev.sagashop.contracts.Settings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls service operations — over the event bus when the service runs in this process, over HTTP to its
 * {@link RoleServer}s when {@code <SERVICE>_URL} names other processes (a comma-separated list for several replicas)
 * — and turns every way a call can fail into a {@link ServiceException} with the status the HTTP caller should see:
 * the service's own refusal as it is, no service as 503, no answer in time as 504. A call goes to the replica with
 * the fewest calls outstanding (ties in turn), so a replica that hangs — its calls pile up unanswered — gets no new
 * ones while another answers, long before any of them times out. Each has a {@link Breaker}, so calls skip a replica
 * that keeps failing while others answer, and fail fast with a 503 only when all of them do. A call that could not
 * even connect goes on to another replica (it never reached the first, so it cannot apply twice).
 */
final class ServiceClient {

  /** Where a {@link RoleServer} serves the operations of its process: {@code POST /ops/<address>}. */
  static final String OPERATIONS = "/ops/";
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** One place a service answers: a URL, or this process (null); its calls outstanding. Used on one event loop. */
  private static final class Replica {
    final URI url;
    final Breaker breaker;
    int outstanding;

    Replica(URI url, Breaker breaker) {
      this.url = url;
      this.breaker = breaker;
    }
  }

  /** A call that never reached its replica: no connection. */
  private static final class Unreached extends ServiceException {
    Unreached(String message) {
      super(503, message);
    }
  }

  private final Vertx vertx;
  private final DeliveryOptions defaults;
  private final JsonObject config;
  private final boolean remoteAllowed;
  private final Map<String, List<Replica>> replicas = new HashMap<>();
  private final Map<String, Integer> turns = new HashMap<>();
  private final List<Meter> meters = new ArrayList<>();
  private final String instance = Integer.toString(INSTANCES.incrementAndGet());
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
    this.config = config;
    this.remoteAllowed = remoteAllowed;
    this.defaults = new DeliveryOptions()
      .setSendTimeout(Settings.millis(config, ConfigKeys.REQUEST_TIMEOUT_MS, 10_000));
  }

  Future<JsonObject> call(String operation, JsonObject request) {
    return call(operation, request, defaults);
  }

  Future<JsonObject> call(String operation, JsonObject request, DeliveryOptions options) {
    String service = operation.substring(0, operation.indexOf('.'));
    List<Replica> all = replicas.computeIfAbsent(service, this::replicas);
    int first = turns.merge(service, 1, Integer::sum) % all.size();
    return attempt(service, operation, request, options, all, first, new ArrayList<>());
  }

  /**
   * Calls the replica with the fewest calls outstanding, looking from {@code first} on (the first of equals wins);
   * an open circuit met on the way gets its trial call once it is due. {@code unreached}: replicas this call could
   * not connect to already.
   */
  private Future<JsonObject> attempt(String service, String operation, JsonObject request, DeliveryOptions options,
                                     List<Replica> all, int first, List<Replica> unreached) {
    // A call that may wait long (a checkout waits for its saga) says little about the service's health, and as the
    // trial it would hold the circuit open for as long as it waits: it neither counts nor serves as the trial.
    boolean longWait = options.getSendTimeout() > defaults.getSendTimeout();
    Replica chosen = null;
    for (int at = 0; at < all.size(); at++) {
      Replica candidate = all.get((first + at) % all.size());
      if (unreached.contains(candidate)) {
        continue;
      }
      if (candidate.breaker.closed()) {
        if (chosen == null || candidate.outstanding < chosen.outstanding) {
          chosen = candidate;
        }
      } else if (chosen == null && !longWait && candidate.breaker.allows()) {
        chosen = candidate;
        break;
      }
    }
    if (chosen == null) {
      return Future.failedFuture(ServiceException.unavailable("the " + service + " service is failing"
        + (all.size() > 1 ? " on every replica" : "") + "; not calling it for up to " + Breaker.OPEN_MS + " ms"));
    }
    Replica replica = chosen;
    replica.outstanding++;
    Future<JsonObject> reply = replica.url == null ? local(service, operation, request, options)
      : overHttp(replica.url, service, operation, request, options.getSendTimeout());
    reply = reply.andThen(result -> {
      replica.outstanding--;
      if (!longWait) {
        count(replica, result.cause());
      }
    });
    return reply.recover(failure -> {
      if (!(failure instanceof Unreached) || unreached.size() + 1 >= all.size()) {
        return Future.failedFuture(failure);
      }
      unreached.add(replica);
      return attempt(service, operation, request, options, all, first, unreached);
    });
  }

  /** A replica's answer or refusal (4xx) closes its circuit; its failing (5xx, no answer) counts towards opening it. */
  private static void count(Replica replica, Throwable failure) {
    if (!(failure instanceof ServiceException refusal) || refusal.status() < 500) {
      replica.breaker.succeeded();
    } else {
      replica.breaker.failed();
    }
  }

  /** The service's replicas from {@code <SERVICE>_URL}, or this process; each shown on /metrics with its circuit. */
  private List<Replica> replicas(String service) {
    String urls = remoteAllowed ? Settings.string(config, ConfigKeys.url(service), null) : null;
    List<Replica> found = new ArrayList<>();
    if (urls == null || urls.isBlank()) {
      found.add(new Replica(null, breaker(service, "local")));
    } else {
      for (String url : urls.split(",")) {
        if (!url.isBlank()) {
          found.add(new Replica(URI.create(url.trim()), breaker(service, url.trim())));
        }
      }
      if (http == null) {
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
          .setConnectTimeout(2_000), new PoolOptions().setHttp1MaxSize(64));
      }
    }
    return List.copyOf(found);
  }

  private Breaker breaker(String service, String replica) {
    Breaker breaker = new Breaker();
    meters.add(Gauge.builder(Meters.CIRCUIT_OPEN, breaker, b -> b.open() ? 1 : 0).tag("service", service)
      .tag("replica", replica).tag("instance", instance)
      .description("Whether calls to a service fail fast (1) for its recent failures").register(Meters.registry()));
    return breaker;
  }

  /** Takes this client's meters away. */
  void close() {
    meters.forEach(Meters.registry()::remove);
  }

  /** A batch_init of {@code n} records may take 0.2 ms a record on top of the usual deadline (docs/PERFORMANCE.md). */
  static long batchTimeoutMs(long requestTimeoutMs, long n) {
    return requestTimeoutMs + n / 5;
  }

  /**
   * Over the event bus, in this process. A request a consumer discarded unseen — it was queued for a verticle that
   * then stopped — is sent once more, to a consumer of the address still there: its handler never saw it.
   */
  private Future<JsonObject> local(String service, String operation, JsonObject request, DeliveryOptions options) {
    long sent = System.nanoTime();
    return vertx.eventBus().<JsonObject>request(operation, request, options)
      .recover(failure -> discarded(failure, sent, options.getSendTimeout())
        ? vertx.eventBus().request(operation, request, options) : Future.failedFuture(failure))
      .map(reply -> reply.body())
      .recover(failure -> Future.failedFuture(refusal(service, operation, sent, options.getSendTimeout(), failure)));
  }

  /** Vert.x fails a discarded request as a timeout, at once: a timeout before the deadline is a discard. */
  private static boolean discarded(Throwable failure, long sent, long timeoutMs) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT
      && (System.nanoTime() - sent) / 1_000_000 < timeoutMs;
  }

  private Future<JsonObject> overHttp(URI url, String service, String operation, JsonObject request, long timeout) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost())
      .setPort(url.getPort() > 0 ? url.getPort() : 80).setURI(OPERATIONS + operation)
      .setIdleTimeout(timeout);
    return http.request(options)
      .recover(failure -> Future.failedFuture(failure instanceof ConnectException ? new Unreached("the " + service
        + " service is unreachable at " + url + ": " + failure.getMessage()) : failure))
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

  private static ServiceException refusal(String service, String operation, long sent, long timeout,
                                          Throwable failure) {
    if (!(failure instanceof ReplyException reply)) {
      return new ServiceException(500, operation + " failed: " + failure.getMessage());
    }
    return switch (reply.failureType()) {
      case RECIPIENT_FAILURE -> new ServiceException(reply.failureCode(), reply.getMessage());
      case NO_HANDLERS -> ServiceException.unavailable("the " + service + " service is not running");
      case TIMEOUT -> discarded(failure, sent, timeout)
        ? ServiceException.unavailable("the " + service + " service is stopping")
        : new ServiceException(504, "the " + service + " service did not answer within " + timeout + " ms");
      default -> new ServiceException(502, operation + " failed: " + reply.getMessage());
    };
  }
}
