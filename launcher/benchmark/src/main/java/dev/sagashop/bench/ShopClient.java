package dev.sagashop.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** A client of the shop's public HTTP API, for the benchmark and for tests. Keeps connections alive. */
public final class ShopClient {

  /** A response: its status and its JSON body ({@code {}} if it had none). */
  public record Reply(int status, JsonObject body) {
    public boolean ok() {
      return status / 100 == 2;
    }

    public String error() {
      return body.getString("error");
    }
  }

  private static final int IN_FLIGHT = 64;

  private final HttpClient http;
  private final String host;
  private final int port;
  private final long timeoutMs;

  public ShopClient(Vertx vertx, String baseUrl, int connections, long timeoutMs) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : 80;
    this.timeoutMs = timeoutMs;
    // A connection's failure reaches its request's future; unhandled it would also be logged as an error, once per
    // connection, whenever a fault test kills a gateway.
    this.http = vertx.httpClientBuilder()
      .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true))
      .with(new PoolOptions().setHttp1MaxSize(connections))
      .withConnectHandler(connection -> connection.exceptionHandler(failure -> {
      }))
      .build();
  }

  public Future<Reply> get(String path) {
    return send(HttpMethod.GET, path);
  }

  public Future<Reply> post(String path) {
    return send(HttpMethod.POST, path);
  }

  public Future<Reply> send(HttpMethod method, String path) {
    return http.request(options(method, path))
      .compose(request -> request.send().compose(response -> response.body()
        .map(body -> new Reply(response.statusCode(), json(body)))));
  }

  /** The body of a GET as text (the Prometheus metrics page, say); fails on a non-2xx status. */
  public Future<String> getText(String path) {
    return http.request(options(HttpMethod.GET, path))
      .compose(request -> request.send().compose(response -> response.body().compose(body ->
        response.statusCode() / 100 == 2 ? Future.succeededFuture(body.toString())
          : Future.failedFuture(path + " answered " + response.statusCode()))));
  }

  /**
   * Only the status of a POST; the body is read and dropped unparsed. For load loops: the load generator shares the
   * machine with the shop it measures, and every cycle it spends is one the shop does not get.
   */
  public Future<Integer> postForStatus(String path) {
    return http.request(options(HttpMethod.POST, path))
      .compose(request -> request.send().compose(response -> response.end().map(ended -> response.statusCode())));
  }

  private RequestOptions options(HttpMethod method, String path) {
    return new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(path)
      .setIdleTimeout(timeoutMs).setConnectTimeout(timeoutMs);
  }

  /** Blocks for a reply; for tests and set-up steps, never on an event loop. */
  public Reply await(Future<Reply> reply) {
    try {
      return reply.await(timeoutMs * 2, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no reply within " + timeoutMs * 2 + " ms", e);
    }
  }

  /** A new user given {@code credit} (none asked for when it is 0); the user's id. Fails if the shop refuses a step. */
  public Future<String> newUser(long credit) {
    return post("/payment/create_user").compose(ShopClient::ok).map(created -> created.body().getString("user_id"))
      .compose(user -> credit == 0 ? Future.succeededFuture(user)
        : post("/payment/add_funds/" + user + "/" + credit).compose(ShopClient::ok).map(funded -> user));
  }

  /** A new item of {@code price} with {@code units} in stock; the item's id. Fails if the shop refuses a step. */
  public Future<String> newItem(long price, long units) {
    return post("/stock/item/create/" + price).compose(ShopClient::ok)
      .map(created -> created.body().getString("item_id"))
      .compose(item -> units == 0 ? Future.succeededFuture(item)
        : post("/stock/add/" + item + "/" + units).compose(ShopClient::ok).map(added -> item));
  }

  /** A set-up step the shop refused fails the set-up, instead of leaving records other than the ones counted on. */
  private static Future<Reply> ok(Reply reply) {
    return reply.ok() ? Future.succeededFuture(reply)
      : Future.failedFuture(new IllegalStateException("the shop refused a set-up step: " + reply.status() + " "
        + reply.body()));
  }

  /**
   * Runs {@code count} requests with at most {@value #IN_FLIGHT} in flight and returns their results in order of
   * index; fails on the first failure. For set-up steps and checks, never on an event loop.
   */
  public static <T> List<T> inBatches(int count, IntFunction<Future<T>> request) {
    List<T> results = new ArrayList<>(count);
    for (int from = 0; from < count; from += IN_FLIGHT) {
      List<Future<T>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + IN_FLIGHT); i++) {
        batch.add(request.apply(i));
      }
      Future.all(batch).await();
      batch.forEach(f -> results.add(f.result()));
    }
    return results;
  }

  public Future<Void> close() {
    return http.close();
  }

  private static JsonObject json(Buffer body) {
    if (body.length() == 0) {
      return new JsonObject();
    }
    try {
      return body.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject().put("raw", body.toString());
    }
  }
}
