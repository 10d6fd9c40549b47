package dev.sagashop.gateway;

import java.util.function.LongSupplier;

/**
 * A circuit breaker for one service: after {@value #TRIP_AFTER} calls in a row fail for want of the service (5xx),
 * calls fail fast for {@value #OPEN_MS} ms instead of piling up; then one trial call is let through, and its
 * success closes the circuit. A caller's mistake (4xx) is an answer, not a failure. A trial that has not answered
 * within {@value #OPEN_MS} ms no longer holds the circuit: the next call is a trial too, so a trial stuck on a
 * service that hung cannot keep the circuit open after the service is back. Used on one event loop only.
 * Not vertx-circuit-breaker: there a half-open circuit waits for its one trial until the call's own timeout (10 s
 * here), unless every call gets the breaker's timeout too — a timer per call, measured at 7x this class's cost per
 * call (docs/PERFORMANCE.md) — which would also cut normal calls short at 2 s.
 */
final class Breaker {

  static final int TRIP_AFTER = 5;
  static final long OPEN_MS = 2_000;

  private final LongSupplier clock;
  private int failures;
  private long openUntil;
  /** When the trial in flight went out; 0 if none is. */
  private long trialSince;

  Breaker() {
    this(System::currentTimeMillis);
  }

  Breaker(LongSupplier clock) {
    this.clock = clock;
  }

  /** Whether a call may go out now; past the open time it goes out as the trial. */
  boolean allows() {
    if (openUntil == 0) {
      return true;
    }
    long now = clock.getAsLong();
    if (now < openUntil || trialSince != 0 && now - trialSince < OPEN_MS) {
      return false;
    }
    trialSince = now;
    return true;
  }

  /** Whether the circuit is closed: for calls that may wait long, which never serve as the trial. */
  boolean closed() {
    return openUntil == 0;
  }

  void succeeded() {
    failures = 0;
    openUntil = 0;
    trialSince = 0;
  }

  void failed() {
    trialSince = 0;
    if (++failures >= TRIP_AFTER || openUntil != 0) {
      openUntil = clock.getAsLong() + OPEN_MS;
    }
  }

  boolean open() {
    return openUntil != 0;
  }
}
