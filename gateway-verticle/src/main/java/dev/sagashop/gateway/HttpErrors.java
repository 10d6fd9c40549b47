package dev.sagashop.gateway;

import dev.sagashop.contracts.ServiceException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every HTTP error this module answers, public or internal, as JSON {@code {"error": ...}}. */
final class HttpErrors {

  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {
  }

  /** The router's failure handler: a refusal with its own status, anything else as a 500 without internals. */
  static void fail(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ServiceException refusal) {
      error(ctx, refusal.status(), refusal.getMessage());
    } else if (failure != null) {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      error(ctx, 500, "internal error");
    } else {
      error(ctx, ctx.statusCode(), "request failed with status " + ctx.statusCode());
    }
  }

  /**
   * A request the HTTP decoder refused before any route saw it: the status Vert.x gives it by default (414, 431, or
   * 400 for what is not HTTP), with a JSON body like every other error; the server then closes the connection.
   */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message = "request line longer than " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message = "request headers longer than " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes";
    } else {
      status = 400;
      message = "malformed HTTP request";
    }
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(new JsonObject().put("error", message).toBuffer());
  }

  /** A 503 says when to try again, so clients that honour it do not turn an outage into a storm of retries. */
  static void error(RoutingContext ctx, int status, String message) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status);
      if (status == 503) {
        ctx.response().putHeader("Retry-After", "1");
      }
      ctx.json(new JsonObject().put("error", message));
    }
  }
}
