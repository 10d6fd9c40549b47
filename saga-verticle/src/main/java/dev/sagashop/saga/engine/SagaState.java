package dev.sagashop.saga.engine;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Set;

/**
 * Where one saga stands. {@code key} is its business key (its definition's {@code keyField} in the payload).
 * In RUNNING and COMPENSATING, {@code step} is the first step of the stage in hand and {@code awaiting} holds its
 * steps whose action (or compensation) is still unanswered; in CONFIRMING, {@code awaiting} holds the steps whose
 * one-way command is to be delivered.
 * {@code since} is when the saga began waiting on {@code awaiting} (step deadlines count from it; the journal keeps
 * it); {@code sentAt} and {@code attempts} pace re-sends and live in memory only.
 */
public record SagaState(String sagaId, String saga, String key, JsonObject payload, Status status, int step,
                        Set<Integer> awaiting, String reason, int partition, Instant createdAt, Instant since,
                        Instant sentAt, int attempts) {

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
      createdAt, now, now, 0);
  }

  /** One of the steps it waits on answered, others have not: the same wait, paced as before. */
  SagaState answered(Set<Integer> stillAwaiting) {
    return new SagaState(sagaId, saga, key, payload, status, step, Set.copyOf(stillAwaiting), reason, partition,
      createdAt, since, sentAt, attempts);
  }

  /** The same state, its pending commands sent once more. */
  public SagaState resent(Instant now) {
    return new SagaState(sagaId, saga, key, payload, status, step, awaiting, reason, partition, createdAt, since, now,
      attempts + 1);
  }

  /** The same state, its pending commands sent once more at an operator's request: the backoff starts over. */
  public SagaState retried(Instant now) {
    return new SagaState(sagaId, saga, key, payload, status, step, awaiting, reason, partition, createdAt, since, now,
      0);
  }
}
