package dev.sagashop.contracts;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A refusal a caller can act on: an HTTP-like status and a human-readable reason.
 * Crosses the event bus as a {@link ReplyException} whose failure code is the status.
 */
public class ServiceException extends RuntimeException {

  private final int status;

  public ServiceException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static ServiceException badRequest(String message) {
    return new ServiceException(400, message);
  }

  public static ServiceException notFound(String message) {
    return new ServiceException(404, message);
  }

  public static ServiceException conflict(String message) {
    return new ServiceException(409, message);
  }

  public static ServiceException unavailable(String message) {
    return new ServiceException(503, message);
  }

  /** The form in which the event bus carries this refusal back to the caller. */
  public ReplyException toReply() {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, status, getMessage());
  }
}
