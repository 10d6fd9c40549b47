package dev.sagashop.gateway;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.net.BindException;

/**
 * An HTTP server on a configured port, answering requests it cannot decode as JSON errors too; a port another process
 * holds is told as such, naming the setting.
 */
final class Listen {

  private Listen() {
  }

  static Future<HttpServer> on(Vertx vertx, Router router, JsonObject config, String portKey, int fallback) {
    int port = Settings.port(config, portKey, fallback);
    String host = Settings.string(config, ConfigKeys.GATEWAY_HOST, "0.0.0.0");
    return vertx.createHttpServer().requestHandler(router).invalidRequestHandler(HttpErrors::invalidRequest)
      .listen(port, host)
      .recover(failure -> Future.failedFuture(failure instanceof BindException
        ? new IllegalArgumentException(portKey + " " + port + " on " + host + " is taken by another process; set "
          + portKey + " to a free port (0 picks one)", failure)
        : failure));
  }
}
