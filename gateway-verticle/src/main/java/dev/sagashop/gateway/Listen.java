package dev.sagashop.gateway;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.net.BindException;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server on a configured port, answering requests it cannot decode as JSON errors too; a port another process
 * holds is told as such, naming the setting. It stops as a rolling update needs ({@link #drain}).
 */
final class Listen {

  /** Long enough for any checkout not stuck on a dependency, well inside Kubernetes' 30 s grace period. */
  private static final long DRAIN_SECONDS = 10;

  private HttpServer server;
  private volatile boolean draining;

  private Listen() {
  }

  static Future<Listen> on(Vertx vertx, Router router, JsonObject config, String portKey, int fallback) {
    int port = Settings.port(config, portKey, fallback);
    String host = Settings.string(config, ConfigKeys.GATEWAY_HOST, "0.0.0.0");
    Listen listen = new Listen();
    router.route().order(Integer.MIN_VALUE).handler(listen::closeAfterIfDraining);
    return vertx.createHttpServer().requestHandler(router).invalidRequestHandler(HttpErrors::invalidRequest)
      .listen(port, host)
      .recover(failure -> Future.failedFuture(failure instanceof BindException
        ? new IllegalArgumentException(portKey + " " + port + " on " + host + " is taken by another process; set "
          + portKey + " to a free port (0 picks one)", failure)
        : failure))
      .map(server -> {
        listen.server = server;
        return listen;
      });
  }

  int port() {
    return server.actualPort();
  }

  /**
   * Stops taking connections and closes each one once its requests in flight are answered (or after
   * {@value #DRAIN_SECONDS} s), so callers get their answers instead of a connection cut mid-request, which would
   * leave them not knowing whether their checkout happened.
   */
  Future<Void> drain() {
    draining = true;
    return server.shutdown(DRAIN_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * An answer sent during the drain says {@code Connection: close}: a client that sent its next request on the same
   * connection as the server closed it would not know whether that request was taken.
   */
  private void closeAfterIfDraining(RoutingContext ctx) {
    ctx.addHeadersEndHandler(headersEnd -> {
      if (draining) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
    });
    ctx.next();
  }
}
