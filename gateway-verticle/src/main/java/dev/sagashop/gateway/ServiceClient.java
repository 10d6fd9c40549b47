package dev.sagashop.gateway;

import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/**
 * Calls service operations and turns every way a call can fail into a {@link ServiceException} with the status
 * the HTTP caller should see: the service's own refusal as it is, no service deployed as 503, no answer in time
 * as 504.
 */
final class ServiceClient {

  static final String REQUEST_TIMEOUT_MS = "REQUEST_TIMEOUT_MS";

  private final Vertx vertx;
  private final DeliveryOptions defaults;

  ServiceClient(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.defaults = new DeliveryOptions().setSendTimeout(Settings.number(config, REQUEST_TIMEOUT_MS, 10_000));
  }

  Future<JsonObject> call(String operation, JsonObject request) {
    return call(operation, request, defaults);
  }

  Future<JsonObject> call(String operation, JsonObject request, DeliveryOptions options) {
    return vertx.eventBus().<JsonObject>request(operation, request, options)
      .map(reply -> reply.body())
      .recover(failure -> Future.failedFuture(refusal(operation, options.getSendTimeout(), failure)));
  }

  private static ServiceException refusal(String operation, long timeout, Throwable failure) {
    String service = operation.substring(0, operation.indexOf('.'));
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
