package dev.sagashop.contracts;

/** Operations of the saga coordinator on the event bus: inspection and health. */
public final class SagaApi {

  public static final String SERVICE = "saga";

  /** {saga_id} → {saga_id, saga, order_id, status, reason, payload, created_at, updated_at, journal: [...]} */
  public static final String FIND = "saga.find";
  /** {order_id} → the order's latest saga as FIND shows it, plus {earlier_sagas: [ids]} */
  public static final String FIND_BY_ORDER = "saga.find-by-order";
  /**
   * {status, order_id, reason, since, until, limit, after: the raw query parameters, each optional} → {sagas: [{saga_id,
   * saga, order_id, status, reason, owner, created_at, updated_at, waiting_ms, overdue}], next: cursor or null}
   */
  public static final String QUERY = "saga.query";
  /** {since, until} → {since, until, by_status: {..}, aborted_by_reason: {..}, in_flight: {count, oldest_age_ms}} */
  public static final String STATS = "saga.stats";
  /** {saga_id, by} → {saga_id, requested: "abort", status}: compensate, if not past the pivot (else 409). */
  public static final String ABORT = "saga.abort";
  /** {saga_id, by} → {saga_id, requested: "retry", status}: re-send what an unfinished saga waits on (else 409). */
  public static final String RETRY = "saga.retry";
  /** {} → {journal: "UP", kafka: "UP", active_sagas}; fails when the journal or Kafka is unreachable */
  public static final String HEALTH = Services.health(SERVICE);

  private SagaApi() {
  }
}
