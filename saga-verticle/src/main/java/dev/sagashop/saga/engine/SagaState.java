package dev.sagashop.saga.engine;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Set;

/**
 * Where one saga stands. {@code key} is its business key (its definition's {@code keyField} in the payload).
 * In RUNNING and COMPENSATING, {@code step} is the first step of the stage in hand and {@code awaiting} holds its
 * steps whose action (or compensation) is still unanswered; in CONFIRMING, {@code awaiting} holds the steps whose
 * one-way command is to be delivered.
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
