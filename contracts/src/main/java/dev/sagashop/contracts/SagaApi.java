package dev.sagashop.contracts;

/** Operations of the saga coordinator on the event bus: inspection and health. */
public final class SagaApi {

  public static final String SERVICE = "saga";

  /** {saga_id} → {saga_id, saga, order_id, status, reason, payload, created_at, updated_at, journal: [...]} */
  public static final String FIND = "saga.find";
  /** {order_id} → the order's latest saga as FIND shows it, plus {earlier_sagas: [ids]} */
  public static final String FIND_BY_ORDER = "saga.find-by-order";
  /** {} → {journal: "UP", kafka: "UP", active_sagas}; fails when the journal or Kafka is unreachable */
  public static final String HEALTH = Services.health(SERVICE);

  private SagaApi() {
  }
}
