package dev.sagashop.contracts;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * The names of the shop's own meters (the Grafana dashboard in {@code helm/} reads them; Prometheus sees dots as
 * underscores, counters with {@code _total}) and the process's registry, which {@code /metrics} serves.
 */
public final class Meters {

  public static final String SAGAS_STARTED = "saga.shop.sagas.started";
  /** Tags: status (COMPLETED, ABORTED, STUCK), reason (an abort's reason up to its first colon). */
  public static final String SAGAS_FINISHED = "saga.shop.sagas.finished";
  /** From the start to the end of a saga; tag status. */
  public static final String SAGA_DURATION = "saga.shop.saga.duration";
  /** From a stage's commands to a step's reply; tags step, outcome. */
  public static final String STEP_LATENCY = "saga.shop.step.latency";
  /**
   * From a checkout outcome's broadcast to the answer of a caller waiting for it on another order replica (the one
   * the gateway sent the checkout to), by the broadcast record's timestamp.
   */
  public static final String OUTCOME_HEARD = "saga.shop.checkout.outcome.heard";
  public static final String SAGAS_IN_FLIGHT = "saga.shop.sagas.in.flight";
  public static final String RESENDS = "saga.shop.saga.resends";
  /** Tag of: the topic of a record that could not be read, or the type of a message that could not be applied. */
  public static final String DEAD_LETTERS = "saga.shop.dead.letters";
  /** Sagas written by one journal statement. */
  public static final String JOURNAL_BATCH = "saga.shop.journal.batch.sagas";
  /** Finished sagas deleted from the journal past its retention. */
  public static final String JOURNAL_PRUNED = "saga.shop.journal.pruned";
  /** Records behind the end of a consumer's partitions (the largest); tag consumer. */
  public static final String KAFKA_CONSUMER_LAG = "saga.shop.kafka.consumer.lag";
  /** How late a 100 ms timer fires on an event loop. */
  public static final String EVENT_LOOP_DELAY = "saga.shop.event.loop.delay";
  /** Tag verticle. */
  public static final String VERTICLE_RESTARTS = "saga.shop.verticle.restarts";
  public static final String VERTICLE_UP = "saga.shop.verticle.up";
  /** Tag service: 1 while calls to it fail fast. */
  public static final String CIRCUIT_OPEN = "saga.shop.circuit.open";

  /** Counted, never shown: where a Vert.x was made without metrics (a module's own tests). */
  private static final MeterRegistry UNPUBLISHED = new SimpleMeterRegistry();

  private Meters() {
  }

  public static MeterRegistry registry() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    return registry != null ? registry : UNPUBLISHED;
  }
}
