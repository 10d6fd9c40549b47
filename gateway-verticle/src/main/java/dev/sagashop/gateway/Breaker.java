package dev.sagashop.gateway;

/**
 * A circuit breaker for one service: after {@value #TRIP_AFTER} calls in a row fail for want of the service (5xx),
 * calls fail fast for {@value #OPEN_MS} ms instead of piling up; then one trial call is let through, and its
 * success closes the circuit. A caller's mistake (4xx) is an answer, not a failure. Used on one event loop only.
 */
final class Breaker {

  static final int TRIP_AFTER = 5;
  static final long OPEN_MS = 2_000;

  private int failures;
  private long openUntil;
  private boolean trialInFlight;

  /** Whether a call may go out now. */
  boolean allows() {
    if (openUntil == 0) {
      return true;
    }
    if (System.currentTimeMillis() < openUntil || trialInFlight) {
      return false;
    }
    trialInFlight = true;
    return true;
  }

  void succeeded() {
    failures = 0;
    openUntil = 0;
    trialInFlight = false;
  }

  void failed() {
    trialInFlight = false;
    if (++failures >= TRIP_AFTER || openUntil != 0) {
      openUntil = System.currentTimeMillis() + OPEN_MS;
    }
  }

  boolean open() {
    return openUntil != 0;
  }
}
