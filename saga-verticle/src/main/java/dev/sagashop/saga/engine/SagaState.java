package dev.sagashop.saga.engine;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Set;

/**
 * Where one saga stands. {@code key} is its business key (its definition's {@code keyField} in the payload).
 * In RUNNING, {@code step} is the step whose action is awaited; in COMPENSATING, the step whose compensation is
 * awaited; in CONFIRMING, {@code awaiting} holds the steps whose confirmation is to be delivered.
 * {@code sentAt} and {@code attempts} pace re-sends and live in memory only.
 */
public record SagaState(String sagaId, String saga, String key, JsonObject payload, Status status, int step,
                        Set<Integer> awaiting, String reason, int partition, Instant createdAt, Instant sentAt,
                        int attempts) {

  public enum Status {
    RUNNING, COMPENSATING, CONFIRMING, COMPLETED, ABORTED,
    /** A compensation failed: the saga waits for an operator. */
    STUCK;

    public boolean finished() {
      return this == COMPLETED || this == ABORTED || this == STUCK;
    }
  }

  SagaState with(Status status, int step, Set<Integer> awaiting, String reason, Instant now) {
    return new SagaState(sagaId, saga, key, payload, status, step, Set.copyOf(awaiting), reason, partition,
      createdAt, now, 0);
  }

  /** The same state, its pending commands sent once more. */
  public SagaState resent(Instant now) {
    return new SagaState(sagaId, saga, key, payload, status, step, awaiting, reason, partition, createdAt, now,
      attempts + 1);
  }
}
