package dev.sagashop.saga;

import dev.sagashop.contracts.Meters;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.saga.engine.SagaState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The coordinator's meters: sagas started and finished (by status, and by reason up to its first colon, as the
 * journal's stats group them), how long sagas and steps took, re-sends, and the sagas in flight.
 */
final class SagaMetrics {

  private final MeterRegistry registry = Meters.registry();
  private final Counter started;
  private final Counter resends;
  private final Gauge inFlight;
  private final Map<String, Timer> timers = new HashMap<>();

  SagaMetrics(Map<String, SagaState> active) {
    started = Counter.builder(Meters.SAGAS_STARTED).description("Sagas started").register(registry);
    resends = Counter.builder(Meters.RESENDS).description("Commands sent again after a silence").register(registry);
    inFlight = Gauge.builder(Meters.SAGAS_IN_FLIGHT, active, Map::size)
      .description("Unfinished sagas this coordinator owns").register(registry);
  }

  void started() {
    started.increment();
  }

  void finished(SagaState saga, Instant now) {
    String reason = saga.reason() == null ? "" : saga.reason().split(":", 2)[0];
    registry.counter(Meters.SAGAS_FINISHED, "status", saga.status().name(), "reason", reason).increment();
    timer(Meters.SAGA_DURATION, "status", saga.status().name()).record(Duration.between(saga.createdAt(), now));
  }

  /** A step's reply, timed from when its stage was sent. */
  void replied(SagaState waiting, String step, SagaMessage reply, Instant now) {
    timer(Meters.STEP_LATENCY, "step", step, "outcome", reply.outcome().name())
      .record(Duration.between(waiting.since(), now));
  }

  void resent(int commands) {
    resends.increment(commands);
  }

  void close() {
    registry.remove(inFlight);
  }

  private Timer timer(String name, String... tags) {
    return timers.computeIfAbsent(name + String.join(",", tags), key -> registry.timer(name, tags));
  }
}
