package dev.sagashop.contracts;

/**
 * A refusal a caller can act on: an HTTP-like status and a human-readable reason.
 * Crosses the event bus as a reply failure whose code is the status.
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
}
