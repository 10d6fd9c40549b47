package dev.sagashop.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's circuit breaker on a clock the test moves. */
class BreakerTest {

  private long now = 1_000_000;
  private final Breaker breaker = new Breaker(() -> now);

  private void trip() {
    for (int i = 0; i < Breaker.TRIP_AFTER; i++) {
      assertTrue(breaker.allows());
      breaker.failed();
    }
  }

  @Test
  @DisplayName("five failures in a row open the circuit; a success in between keeps it closed")
  void tripsAfterFailuresInARow() {
    for (int i = 0; i < Breaker.TRIP_AFTER - 1; i++) {
      breaker.failed();
    }
    breaker.succeeded();
    for (int i = 0; i < Breaker.TRIP_AFTER - 1; i++) {
      breaker.failed();
    }
    assertTrue(breaker.allows(), "the count started again at the success");
    breaker.failed();
    assertFalse(breaker.allows());
    assertFalse(breaker.closed());
  }

  @Test
  @DisplayName("after the open time one trial goes out, the others wait for it; its success closes the circuit")
  void oneTrialThenClosed() {
    trip();
    now += Breaker.OPEN_MS;
    assertTrue(breaker.allows(), "the trial");
    assertFalse(breaker.allows(), "only one trial at a time");
    breaker.succeeded();
    assertTrue(breaker.allows());
    assertTrue(breaker.closed());
  }

  @Test
  @DisplayName("a failed trial opens the circuit again for the open time")
  void failedTrialReopens() {
    trip();
    now += Breaker.OPEN_MS;
    assertTrue(breaker.allows());
    breaker.failed();
    assertFalse(breaker.allows());
    now += Breaker.OPEN_MS;
    assertTrue(breaker.allows());
  }

  @Test
  @DisplayName("a trial that never answers does not hold the circuit open: after the open time another goes out")
  void stuckTrialDoesNotHoldTheCircuit() {
    trip();
    now += Breaker.OPEN_MS;
    assertTrue(breaker.allows(), "a trial that will hang");
    now += Breaker.OPEN_MS - 1;
    assertFalse(breaker.allows());
    now += 1;
    assertTrue(breaker.allows(), "a second trial, the first one still hanging");
    breaker.succeeded();
    assertTrue(breaker.closed());
  }
}
